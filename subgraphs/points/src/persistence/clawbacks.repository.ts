import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Clawbacks: refunded points a member had already spent, owed back to the partner that refunded (see
 * ReversalService and settleClawbacks). Used inside a caller's database transaction; decides nothing.
 */

export interface OutstandingClawback {
  id: string;
  partner_id: string;
  outstanding: string;
  reversal_transaction: string;
  /** The refund's price snapshot (the earn's), which prices the clawback. */
  unit_price: string | null;
  price_currency: string | null;
  /** Whether the refunded earn was paid from a prepaid block (a clawback refills it). */
  block_drawn: boolean;
}

/** Records what a refund could not take back from the member: `points` owed, all outstanding. */
export async function recordClawback(
  manager: EntityManager,
  c: { accountId: string; partnerId: string; reversalTransactionId: string; points: bigint },
): Promise<void> {
  await sql(manager, 'INSERT INTO clawbacks (account_id, partner_id, reversal_transaction, points, outstanding) VALUES ($1, $2, $3, $4, $4)', [
    c.accountId,
    c.partnerId,
    c.reversalTransactionId,
    c.points.toString(),
  ]);
}

/** The account's outstanding clawbacks, oldest first, locked, each with the snapshot of the refund it completes. */
export async function lockOutstandingClawbacks(manager: EntityManager, accountId: string): Promise<OutstandingClawback[]> {
  const { rows } = await sql<OutstandingClawback>(
    manager,
    `SELECT c.id, c.partner_id, c.outstanding, c.reversal_transaction, r.unit_price::text, r.price_currency, coalesce(e.block_drawn, false) AS block_drawn
       FROM clawbacks c JOIN transactions r ON r.id = c.reversal_transaction LEFT JOIN transactions e ON e.id = r.reverses
      WHERE c.account_id = $1 AND c.outstanding > 0 ORDER BY c.created_at, c.id FOR UPDATE OF c`,
    [accountId],
  );
  return rows;
}

/** Lowers a clawback's outstanding points by what a CLAWBACK transaction repaid. */
export async function repayClawback(manager: EntityManager, clawbackId: string, points: bigint): Promise<void> {
  await sql(manager, 'UPDATE clawbacks SET outstanding = outstanding - $2 WHERE id = $1', [clawbackId, points.toString()]);
}

/** Partners the accounts owe clawbacks to: the prepaid blocks that repaying them may refill. */
export async function clawbackPartners(manager: EntityManager, accountIds: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ partner_id: string }>(
    manager,
    'SELECT DISTINCT partner_id::text FROM clawbacks WHERE account_id = ANY($1::uuid[]) AND outstanding > 0',
    [[...accountIds]],
  );
  return rows.map((r) => r.partner_id);
}
