import { type DataSource } from 'typeorm';
import { type HubMetrics } from '../../../../lib/src/metrics';
import { outboxBacklogs } from '../persistence/backlog.repository';

/**
 * What the points subgraph counts for Prometheus: earns and redemptions with their points (counted once
 * their transaction has committed, never for a replay), and what waits in the event outbox (pledge relay, webhook fan-out and deliveries), read at each scrape.
 */
export class LedgerMetrics {
  private readonly earns;
  private readonly earnedPoints;
  private readonly redemptions;
  private readonly redeemedPoints;
  private readonly earnBatches;
  private readonly earnsBatched;
  private readonly earnBatchFailures;

  constructor(metrics: HubMetrics, dataSource: DataSource) {
    this.earns = metrics.counter('hub_earns_total', 'Earns committed');
    this.earnedPoints = metrics.counter('hub_earned_points_total', 'Points awarded by committed earns');
    this.redemptions = metrics.counter('hub_redemptions_total', 'Redemptions committed (direct redeems and captured holds)', ['kind']);
    this.redeemedPoints = metrics.counter('hub_redeemed_points_total', 'Points spent by committed redemptions', ['kind']);
    this.earnBatches = metrics.counter('hub_earn_batches_total', 'Batches of earns of different members written in one database transaction (group commit)');
    this.earnBatchFailures = metrics.counter('hub_earn_batch_failures_total', 'Batches of earns rolled back as a whole (a database error, a lost connection, a lock wait past 1 s): each earn then ran alone');
    this.earnsBatched = metrics.counter('hub_earn_batch_earns_total', 'Earns a batch took, by where they were written (batch: in the batch; alone: handed back, or the batch failed)', ['written']);
    // One query per scrape for the three gauges: the first collected reads, the others reuse it.
    let reading: Promise<Awaited<ReturnType<typeof outboxBacklogs>>> | undefined;
    const read = () => {
      reading ??= outboxBacklogs(dataSource.manager).finally(() => setTimeout(() => (reading = undefined), 0));
      return reading;
    };
    metrics.collectedGauge('hub_outbox_backlog_events', 'Event outbox rows waiting, by consumer (pledge_relay, webhook_fanout)', ['consumer'], async (gauge) => {
      const backlog = await read();
      gauge.set({ consumer: 'pledge_relay' }, backlog.pledgeRelay.count);
      gauge.set({ consumer: 'webhook_fanout' }, backlog.webhookFanout.count);
    });
    metrics.collectedGauge('hub_outbox_oldest_age_seconds', 'Age of the oldest waiting event outbox row, by consumer (0: none)', ['consumer'], async (gauge) => {
      const backlog = await read();
      gauge.set({ consumer: 'pledge_relay' }, backlog.pledgeRelay.oldestAgeSeconds);
      gauge.set({ consumer: 'webhook_fanout' }, backlog.webhookFanout.oldestAgeSeconds);
    });
    metrics.collectedGauge('hub_webhook_deliveries_pending', 'Webhook deliveries not yet delivered nor given up', [], async (gauge) => {
      gauge.set((await read()).webhookDeliveries.count);
    });
    metrics.collectedGauge('hub_webhook_oldest_pending_age_seconds', 'Age of the oldest pending webhook delivery (0: none)', [], async (gauge) => {
      gauge.set((await read()).webhookDeliveries.oldestAgeSeconds);
    });
  }

  earned(points: bigint): void {
    this.earns.inc();
    this.earnedPoints.inc(Number(points));
  }

  /** A batch of `size` earns wrote `inBatch` of them itself (the rest ran alone); `failed`: it rolled back as a whole. */
  earnBatch(size: number, inBatch: number, failed = false): void {
    this.earnBatches.inc();
    if (failed) this.earnBatchFailures.inc();
    this.earnsBatched.inc({ written: 'batch' }, inBatch);
    this.earnsBatched.inc({ written: 'alone' }, size - inBatch);
  }

  redeemed(kind: 'redeem' | 'capture', points: bigint): void {
    this.redemptions.inc({ kind });
    this.redeemedPoints.inc({ kind }, Number(points));
  }
}
