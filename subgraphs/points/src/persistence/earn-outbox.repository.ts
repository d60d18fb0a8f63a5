import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * The pledge relay's part of the event outbox (event_outbox rows with a `kind`: one per earn and per
 * reversal of an earn, written by a trigger in the ledger transaction itself), until the relay has
 * delivered it to the donations subgraph (`delivered_at`).
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

/**
 * Up to `limit` undelivered events, oldest first, locked for the caller's transaction; rows another relay
 * holds are skipped (SKIP LOCKED), and a reversal waits until its earn is delivered (a reversal never
 * overtakes its earn, even on another instance).
 */
export async function claimUndeliveredEarnEvents(manager: EntityManager, limit: number): Promise<EarnEvent[]> {
  const { rows } = await sql<EarnEvent>(
    manager,
    `SELECT o.id::text, o.transaction_id, o.kind, o.earn_id, o.partner_id, o.member_id, o.purchase_minor::text, o.currency, o.occurred_at
       FROM event_outbox o
      WHERE o.delivered_at IS NULL AND o.kind IS NOT NULL
        AND (o.kind = 'EARN' OR NOT EXISTS (
              SELECT 1 FROM event_outbox p WHERE p.transaction_id = o.earn_id AND p.kind = 'EARN' AND p.delivered_at IS NULL))
      ORDER BY o.id LIMIT $1 FOR UPDATE OF o SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/** Counts a failed delivery of the event. */
export async function countFailedDelivery(manager: EntityManager, eventId: string): Promise<void> {
  await sql(manager, 'UPDATE event_outbox SET attempts = attempts + 1 WHERE id = $1', [eventId]);
}

/** Marks the events delivered, in one statement. */
export async function markDelivered(manager: EntityManager, eventIds: readonly string[]): Promise<void> {
  await sql(manager, 'UPDATE event_outbox SET delivered_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])', [[...eventIds]]);
}
