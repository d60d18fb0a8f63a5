import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Moves every lot of `fromAccountId` with points left to `toAccountId`, whole, in one statement: each
 * becomes a new lot of the target with the same earn, issuer, price, earn time and expiry (`merged_from`
 * naming it), and the source lot is emptied by a movement of `transactionId` (the MERGE out). The caller
 * holds both accounts' locks and posts the points; lots still sum to each balance. Answers the points moved.
 */
export async function moveLots(manager: EntityManager, transactionId: string, fromAccountId: string, toAccountId: string): Promise<bigint> {
  const { rows } = await sql<{ points: string }>(
    manager,
    `WITH moved AS (
       SELECT id, transaction_id, partner_id, remaining, earned_at, expires_at, unit_price, price_currency
         FROM lots WHERE account_id = $1 AND remaining > 0 FOR UPDATE),
     copied AS (
       INSERT INTO lots (account_id, transaction_id, partner_id, points, remaining, earned_at, expires_at, unit_price, price_currency, merged_from)
       SELECT $2, transaction_id, partner_id, remaining, remaining, earned_at, expires_at, unit_price, price_currency, id FROM moved),
     drawn AS (
       INSERT INTO lot_movements (transaction_id, lot_id, points) SELECT $3, id, -remaining FROM moved),
     emptied AS (
       UPDATE lots l SET remaining = 0 FROM moved WHERE l.id = moved.id)
     SELECT coalesce(sum(remaining), 0)::text AS points FROM moved`,
    [fromAccountId, toAccountId, transactionId],
  );
  return BigInt(rows[0].points);
}
