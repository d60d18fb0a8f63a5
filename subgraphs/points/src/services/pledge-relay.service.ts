import { type DataSource } from 'typeorm';
import { type Logger } from '../../../../lib/src';
import { type DonationsClient, type EarnEvent } from '../clients/donations.client';
import { claimUndeliveredEarnEvents, countFailedDelivery, markDelivered } from '../persistence/earn-outbox.repository';

/**
 * Delivers the pledge events of the event outbox (one row per earn and per reversal of an earn, written by
 * a trigger in the ledger transaction itself) to the donations subgraph, oldest first, with the points
 * service's own credential. A round claims its rows with FOR UPDATE SKIP LOCKED in one transaction, so
 * several instances relay side by side without sending the same event at once; a reversal is claimed only
 * once its earn is delivered. A round goes in one call (`recordPledgeAccruals`: one transaction of the
 * consumer for the whole round); if that is refused, one event at a time, `concurrency` calls at once. The consumer is idempotent
 * on the event id, so a row delivered twice (a crash between the call and `delivered_at`) is counted once; a
 * failed delivery is retried on the next round. Run on a timer by jobs/pledge-relay.job.ts.
 */
export class PledgeRelayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly donations: DonationsClient,
    /** Where deliveries, and the relay job's failed rounds, are reported. */
    readonly logger: Logger,
    private readonly concurrency = 16,
  ) {}

  /** Delivers up to `limit` events; returns how many were delivered. */
  async relay(limit = 200): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await claimUndeliveredEarnEvents(manager, limit);
      if (rows.length === 0) return 0;
      const event = (row: (typeof rows)[number]): EarnEvent => ({
        eventId: row.transaction_id,
        kind: row.kind,
        earnId: row.earn_id,
        partnerId: row.partner_id,
        memberId: row.member_id,
        purchaseMinor: row.purchase_minor,
        currency: row.currency,
        occurredAt: row.occurred_at.toISOString(),
      });
      // The round in one call (one transaction of the consumer): per earn, no call, parse or commit of its own.
      // Refused (one event the consumer cannot take yet), the round goes one event at a time below, so the
      // others are delivered and only that one waits for the next round.
      try {
        await this.donations.recordPledgeAccruals(rows.map(event), `relay-${rows[0].id}-${rows.length}`);
        await markDelivered(manager, rows.map((r) => r.id));
        return rows.length;
      } catch (error) {
        this.logger.warn('pledge relay: round refused as a batch, delivering one event at a time', { events: rows.length, error });
      }
      const delivered: string[] = [];
      const failed: string[] = [];
      const queue = [...rows];
      const worker = async () => {
        for (let row = queue.shift(); row; row = queue.shift()) {
          try {
            await this.donations.recordPledgeAccrual(event(row), `relay-${row.id}`);
            delivered.push(row.id);
          } catch (error) {
            failed.push(row.id);
            this.logger.warn('pledge relay: delivery failed, will retry', { event: row.transaction_id, error });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, rows.length) }, worker));
      for (const id of failed) await countFailedDelivery(manager, id);
      // One statement for the round's deliveries. A crash before the commit only means those events go
      // again, which the consumer answers from its first record of each (exactly once by event id).
      if (delivered.length > 0) await markDelivered(manager, delivered);
      return delivered.length;
    });
  }
}
