import { type DataSource } from 'typeorm';
import { type Logger } from '../logger';
import { type HubMetrics } from '../metrics';
import { runEvery } from '../periodic';
import { purgeBatch, type PurgeTarget } from '../persistence/purge.repository';

/** Batches per target in one run, so one run ends even under a flood; the next run takes the rest. */
const MAX_BATCHES_PER_RUN = 100;

/**
 * Removes, batch by batch (each its own short transaction), the rows of each target no one needs any more.
 * Safe on several instances: batches skip rows another instance is deleting. Answers the rows removed per target.
 */
export async function purgeOnce(dataSource: DataSource, targets: readonly PurgeTarget[], batchSize: number): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const target of targets) {
    removed[target.name] = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const count = await purgeBatch(dataSource.manager, target, batchSize);
      removed[target.name] += count;
      if (count < batchSize) break;
    }
  }
  return removed;
}

/** Runs `purgeOnce` every `intervalMs` (0: never); counts runs and removed rows. Returns the stop function. */
export function startPurgeJob(
  dataSource: DataSource,
  targets: readonly PurgeTarget[],
  options: { intervalMs: number; batchSize: number; logger: Logger; metrics?: HubMetrics },
): () => Promise<void> {
  const runs = options.metrics?.counter('hub_purge_runs_total', 'Purge job runs, by outcome', ['outcome']);
  const rows = options.metrics?.counter('hub_purged_rows_total', 'Rows removed by the purge job, by table', ['table']);
  return runEvery(
    options.intervalMs,
    async () => {
      const removed = await purgeOnce(dataSource, targets, options.batchSize);
      runs?.inc({ outcome: 'ok' });
      for (const [table, count] of Object.entries(removed)) if (count > 0) rows?.inc({ table }, count);
    },
    (error) => {
      runs?.inc({ outcome: 'failed' });
      options.logger.warn('purge failed', { error });
    },
  );
}
