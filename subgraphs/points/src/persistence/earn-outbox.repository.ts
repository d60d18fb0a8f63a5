import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * The earn outbox (earn_outbox): one row per earn and per reversal of an earn, written by a trigger in
 * the ledger transaction itself, until the pledge relay has delivered it to the donations subgraph.
 */

export interface EarnEvent {
  id: string;
  transaction_id: string;
  kind: 'EARN' | 'EARN_REVERSAL';
  earn_id: string;
  partner_id: string;
  member_id: string;
  purchase_minor: string;
  currency: string;
  occurred_at: Date;
}

/** Up to `limit` undelivered events, oldest first. */
export async function undeliveredEarnEvents(manager: EntityManager, limit: number): Promise<EarnEvent[]> {
  const { rows } = await sql<EarnEvent>(
    manager,
    `SELECT id::text, transaction_id, kind, earn_id, partner_id, member_id, purchase_minor::text, currency, occurred_at
       FROM earn_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Counts a failed delivery of the event. */
export async function countFailedDelivery(manager: EntityManager, eventId: string): Promise<void> {
  await sql(manager, 'UPDATE earn_outbox SET attempts = attempts + 1 WHERE id = $1', [eventId]);
}

/** Marks the events delivered, in one statement. */
export async function markDelivered(manager: EntityManager, eventIds: readonly string[]): Promise<void> {
  await sql(manager, 'UPDATE earn_outbox SET delivered_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])', [[...eventIds]]);
}
