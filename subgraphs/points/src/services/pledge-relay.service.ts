import { type DataSource } from 'typeorm';
import { type Logger } from '../../../../lib/src';
import { type DonationsClient } from '../clients/donations.client';
import { countFailedDelivery, markDelivered, undeliveredEarnEvents } from '../persistence/earn-outbox.repository';

/**
 * Delivers the earn outbox (one row per earn and per reversal of an earn, written by a trigger in the
 * ledger transaction itself) to the donations subgraph, oldest first, with the points service's own
 * credential. The consumer is idempotent on the event id, so a row delivered twice (a crash between the
 * call and `delivered_at`, two instances relaying at once) is counted once; a failed delivery is retried
 * on the next round. After a failure the round skips that earn's later events (a reversal never
 * overtakes its earn) but goes on with other earns: one undeliverable event holds up only its own earn.
 * Run on a timer by jobs/pledge-relay.job.ts.
 */
export class PledgeRelayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly donations: DonationsClient,
    /** Where deliveries, and the relay job's failed rounds, are reported. */
    readonly logger: Logger,
  ) {}

  /** Delivers up to `limit` events; returns how many were delivered. */
  async relay(limit = 200): Promise<number> {
    const rows = await undeliveredEarnEvents(this.dataSource.manager, limit);
    const delivered: string[] = [];
    const heldBack = new Set<string>();
    for (const row of rows) {
      if (heldBack.has(row.earn_id)) continue;
      try {
        await this.donations.recordPledgeAccrual(
          {
            eventId: row.transaction_id,
            kind: row.kind,
            earnId: row.earn_id,
            partnerId: row.partner_id,
            memberId: row.member_id,
            purchaseMinor: row.purchase_minor,
            currency: row.currency,
            occurredAt: row.occurred_at.toISOString(),
          },
          `relay-${row.id}`,
        );
        delivered.push(row.id);
      } catch (error) {
        await countFailedDelivery(this.dataSource.manager, row.id).catch(() => undefined);
        this.logger.warn('pledge relay: delivery failed, will retry', { event: row.transaction_id, error });
        heldBack.add(row.earn_id);
      }
    }
    // One statement for the round's deliveries. A crash before it only means those events go again next
    // round, which the consumer answers from its first record of each (exactly once by event id).
    if (delivered.length > 0) {
      await markDelivered(this.dataSource.manager, delivered);
    }
    return delivered.length;
  }
}
