import { runEvery, type HubMetrics } from '../../../../lib/src';
import { type MaintenanceService } from '../services/maintenance.service';

/**
 * Sweeps the ledger every `intervalMs` (0: never): expired holds and lots (see MaintenanceService). A
 * failed sweep is logged and the next tick tries again; runs are counted by outcome. Returns the stop
 * function, which waits for a sweep in progress.
 */
export function startLedgerSweeper(
  maintenance: MaintenanceService,
  intervalMs: number,
  metrics?: HubMetrics,
  /** More rounds run on the same tick after the expiries (welcome bonuses). */
  extra: readonly (() => Promise<unknown>)[] = [],
): () => Promise<void> {
  const runs = metrics?.counter('hub_sweeper_runs_total', 'Ledger sweeper runs (expired holds and lots), by outcome', ['outcome']);
  return runEvery(
    intervalMs,
    async () => {
      await maintenance.sweep();
      for (const round of extra) await round();
      runs?.inc({ outcome: 'ok' });
    },
    (error) => {
      runs?.inc({ outcome: 'failed' });
      maintenance.logger.warn('ledger sweep failed', { error });
    },
  );
}
