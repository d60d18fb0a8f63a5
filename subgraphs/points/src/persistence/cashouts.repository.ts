import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** cashouts and payout_batches (migration 1739420000000-cashouts), inside a caller's database transaction. */

export type CashoutStatus = 'PENDING' | 'BATCHED' | 'PAID' | 'FAILED';

export interface CashoutRow {
  id: string;
  member_id: string;
  transaction_id: string;
  points: string;
  point_value: string;
  amount_minor: string;
  currency: string;
  iban: string;
  holder_name: string;
  status: CashoutStatus;
  batch_id: string | null;
  return_transaction_id: string | null;
  created_at: Date;
  settled_at: Date | null;
}

export interface BatchRow {
  id: string;
  message_id: string;
  currency: string;
  payouts: number;
  total_minor: string;
  status: 'EXPORTED' | 'SETTLED';
  created_by: string;
  created_at: Date;
  settled_at: Date | null;
}

const CASHOUT = `id, member_id, transaction_id, points::text, point_value::text, amount_minor::text, currency, iban, holder_name, status,
  batch_id, return_transaction_id, created_at, settled_at`;
const BATCH = 'id, message_id, currency, payouts, total_minor::text, status, created_by, created_at, settled_at';

export async function insertCashout(
  manager: EntityManager,
  c: { memberId: string; transactionId: string; points: bigint; pointValue: string; amountMinor: bigint; currency: string; iban: string; holderName: string },
): Promise<CashoutRow> {
  const { rows } = await sql<CashoutRow>(
    manager,
    `INSERT INTO cashouts (member_id, transaction_id, points, point_value, amount_minor, currency, iban, holder_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${CASHOUT}`,
    [c.memberId, c.transactionId, c.points.toString(), c.pointValue, c.amountMinor.toString(), c.currency, c.iban, c.holderName],
  );
  return rows[0];
}

export async function cashoutByTransaction(manager: EntityManager, transactionId: string): Promise<CashoutRow | null> {
  const { rows } = await sql<CashoutRow>(manager, `SELECT ${CASHOUT} FROM cashouts WHERE transaction_id = $1`, [transactionId]);
  return rows[0] ?? null;
}

/** Cashouts in a state, oldest first, up to `limit`. */
export async function cashoutsByStatus(manager: EntityManager, status: CashoutStatus, limit: number): Promise<CashoutRow[]> {
  const { rows } = await sql<CashoutRow>(manager, `SELECT ${CASHOUT} FROM cashouts WHERE status = $1 ORDER BY created_at, id LIMIT $2`, [status, limit]);
  return rows;
}

/** A member's cashouts, newest first. */
export async function memberCashouts(manager: EntityManager, memberId: string, limit: number): Promise<CashoutRow[]> {
  const { rows } = await sql<CashoutRow>(manager, `SELECT ${CASHOUT} FROM cashouts WHERE member_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [memberId, limit]);
  return rows;
}

/** Locks up to `limit` pending cashouts, oldest first, skipping any another batch is taking. */
export async function claimPendingCashouts(manager: EntityManager, limit: number): Promise<CashoutRow[]> {
  const { rows } = await sql<CashoutRow>(
    manager,
    `SELECT ${CASHOUT} FROM cashouts WHERE status = 'PENDING' ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

export async function insertBatch(
  manager: EntityManager,
  b: { messageId: string; currency: string; payouts: number; totalMinor: bigint; createdBy: string },
): Promise<BatchRow> {
  const { rows } = await sql<BatchRow>(
    manager,
    `INSERT INTO payout_batches (message_id, currency, payouts, total_minor, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${BATCH}`,
    [b.messageId, b.currency, b.payouts, b.totalMinor.toString(), b.createdBy],
  );
  return rows[0];
}

export async function markBatched(manager: EntityManager, cashoutIds: readonly string[], batchId: string): Promise<void> {
  await sql(manager, `UPDATE cashouts SET status = 'BATCHED', batch_id = $2 WHERE id = ANY($1::uuid[])`, [[...cashoutIds], batchId]);
}

export async function findBatch(manager: EntityManager, batchId: string, lock = false): Promise<BatchRow | null> {
  const { rows } = await sql<BatchRow>(manager, `SELECT ${BATCH} FROM payout_batches WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [batchId]);
  return rows[0] ?? null;
}

export async function batchCashouts(manager: EntityManager, batchId: string): Promise<CashoutRow[]> {
  const { rows } = await sql<CashoutRow>(manager, `SELECT ${CASHOUT} FROM cashouts WHERE batch_id = $1 ORDER BY created_at, id`, [batchId]);
  return rows;
}

export async function markPaid(manager: EntityManager, cashoutIds: readonly string[]): Promise<void> {
  if (cashoutIds.length === 0) return;
  await sql(manager, `UPDATE cashouts SET status = 'PAID', settled_at = now() WHERE id = ANY($1::uuid[])`, [[...cashoutIds]]);
}

export async function markFailed(manager: EntityManager, cashoutId: string, returnTransactionId: string): Promise<void> {
  await sql(manager, `UPDATE cashouts SET status = 'FAILED', settled_at = now(), return_transaction_id = $2 WHERE id = $1`, [cashoutId, returnTransactionId]);
}

export async function markBatchSettled(manager: EntityManager, batchId: string): Promise<BatchRow> {
  const { rows } = await sql<BatchRow>(manager, `UPDATE payout_batches SET status = 'SETTLED', settled_at = now() WHERE id = $1 RETURNING ${BATCH}`, [batchId]);
  return rows[0];
}
