import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { HoldEntity } from './ledger.entity';

/**
 * Redemption holds (holds): points kept for a till until captured, voided or expired, exactly once.
 * Used inside a caller's database transaction; the hold trigger keeps each account's `pending` in step.
 */

export interface DueHold {
  id: string;
  account_id: string;
  member_id: string;
}

/**
 * Up to `limit` open holds past their expiry by database time, soonest first, locked; holds another
 * transaction has locked (a capture, a void, another sweeper) are skipped.
 */
export async function claimExpiredHolds(manager: EntityManager, limit: number): Promise<DueHold[]> {
  const { rows } = await sql<DueHold>(
    manager,
    `SELECT id, account_id, member_id FROM holds WHERE status = 'OPEN' AND expires_at <= now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/** Marks the holds EXPIRED; the hold trigger releases their points. */
export async function markHoldsExpired(manager: EntityManager, holdIds: readonly string[]): Promise<void> {
  await sql(manager, `UPDATE holds SET status = 'EXPIRED', finalized_at = now() WHERE id = ANY($1::uuid[])`, [[...holdIds]]);
}

/** A hold by id, or null. */
export async function findHold(manager: EntityManager, id: string): Promise<HoldEntity | null> {
  return manager.getRepository(HoldEntity).findOneBy({ id });
}

/** Places an OPEN hold of `points` on the member's account, expiring `ttlSeconds` from now (database time). */
export async function insertHold(
  manager: EntityManager,
  h: { accountId: string; memberId: string; partnerId: string; points: bigint; reference: string; ttlSeconds: number },
): Promise<HoldEntity> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO holds (account_id, member_id, partner_id, points, reference, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING id`,
    [h.accountId, h.memberId, h.partnerId, h.points.toString(), h.reference, h.ttlSeconds],
  );
  return manager.getRepository(HoldEntity).findOneByOrFail({ id: rows[0].id });
}

export interface LockedHold {
  id: string;
  accountId: string;
  memberId: string;
  points: string;
  reference: string;
  status: string;
  /** Past its expiry by database time (an OPEN hold the sweeper has not reached yet). */
  expired: boolean;
}

/** Locks the partner's hold `holdId`; null when there is none (or it is another partner's). */
export async function lockPartnerHold(manager: EntityManager, holdId: string, partnerId: string): Promise<LockedHold | null> {
  const { rows } = await sql<{ id: string; account_id: string; member_id: string; points: string; reference: string; status: string; expired: boolean }>(
    manager,
    'SELECT id, account_id, member_id, points, reference, status, expires_at <= now() AS expired FROM holds WHERE id = $1 AND partner_id = $2 FOR UPDATE',
    [holdId, partnerId],
  );
  const r = rows[0];
  return r ? { id: r.id, accountId: r.account_id, memberId: r.member_id, points: r.points, reference: r.reference, status: r.status, expired: r.expired } : null;
}

/**
 * Marks the hold CAPTURED for `points` by `transactionId`. The hold trigger releases its points from
 * `pending`, so this goes before the capture's postings: the balance never dips under what is still held.
 */
export async function markHoldCaptured(manager: EntityManager, holdId: string, points: bigint, transactionId: string): Promise<void> {
  await sql(
    manager,
    `UPDATE holds SET status = 'CAPTURED', finalized_at = now(), captured_points = $2, capture_transaction_id = $3 WHERE id = $1`,
    [holdId, points.toString(), transactionId],
  );
}

/** Marks the hold VOIDED; the hold trigger releases its points. */
export async function markHoldVoided(manager: EntityManager, holdId: string): Promise<void> {
  await sql(manager, `UPDATE holds SET status = 'VOIDED', finalized_at = now() WHERE id = $1`, [holdId]);
}
