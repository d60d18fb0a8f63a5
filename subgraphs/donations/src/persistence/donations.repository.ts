import { type EntityManager, In } from 'typeorm';
import { MAX_PAGE_SIZE, sql } from '../../../../lib/src';
import { DonationEntity } from './charity.entity';

/**
 * Point donations, the outbox of the donation saga: a PENDING row is written with its idempotency key,
 * then moved out of PENDING exactly once (each move is guarded by `status = 'PENDING'`). It decides
 * nothing: the donations service drives the saga.
 */

export async function insertPendingDonation(
  manager: EntityManager,
  d: { memberId: string; charityId: string; points: number; receiptId: string; valueMinor: bigint; currency: string; idempotencyCaller: string; idempotencyKey: string },
): Promise<string> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO donations (member_id, charity_id, points, receipt_id, status, value_minor, currency, idempotency_caller, idempotency_key)
     VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $7, $8) RETURNING id`,
    [d.memberId, d.charityId, d.points, d.receiptId, d.valueMinor.toString(), d.currency, d.idempotencyCaller, d.idempotencyKey],
  );
  return rows[0].id;
}

/** PENDING → CONFIRMED with the ledger's transaction; false when another driver recorded the outcome first. */
export async function confirmDonation(manager: EntityManager, id: string, transactionId: string | null): Promise<boolean> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `UPDATE donations SET status = 'CONFIRMED', posting_transaction_id = $2, confirmed_at = now() WHERE id = $1 AND status = 'PENDING' RETURNING id`,
    [id, transactionId],
  );
  return rows.length > 0;
}

/** PENDING → FAILED; answers the donation's idempotency key, or null when another driver recorded the outcome first. */
export async function failDonation(manager: EntityManager, id: string): Promise<{ caller: string | null; key: string | null } | null> {
  const { rows } = await sql<{ idempotency_caller: string | null; idempotency_key: string | null }>(
    manager,
    `UPDATE donations SET status = 'FAILED' WHERE id = $1 AND status = 'PENDING' RETURNING idempotency_caller, idempotency_key`,
    [id],
  );
  return rows[0] ? { caller: rows[0].idempotency_caller, key: rows[0].idempotency_key } : null;
}

/** Forgets a donatePoints idempotency key, so the same key may be used again. */
export async function forgetDonationKey(manager: EntityManager, caller: string | null, key: string): Promise<void> {
  await sql(manager, `DELETE FROM idempotency_keys WHERE caller = $1 AND operation = 'donatePoints' AND key = $2`, [caller, key]);
}

/** Ids of donations PENDING for at least `olderThanMs` (database time), oldest first. */
export async function pendingDonationIds(manager: EntityManager, olderThanMs: number, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `SELECT id FROM donations WHERE status = 'PENDING' AND created_at <= now() - make_interval(secs => $1::double precision / 1000) ORDER BY created_at LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows.map((r) => r.id);
}

export async function findDonation(manager: EntityManager, id: string): Promise<DonationEntity | null> {
  return manager.getRepository(DonationEntity).findOneBy({ id });
}

/** A member's CONFIRMED and PENDING donations, newest first (a FAILED one was answered with an error and is not giving). */
export async function donationsOfMember(manager: EntityManager, memberId: string): Promise<DonationEntity[]> {
  return manager.getRepository(DonationEntity).find({
    where: { memberId, status: In(['CONFIRMED', 'PENDING']) },
    order: { createdAt: 'DESC' },
    take: MAX_PAGE_SIZE,
  });
}

/**
 * The PENDING donation of a membership's closing (the members subgraph's saga), its id the closing id: the
 * ledger posts it from the closed account, and a second call for the closing inserts nothing.
 */
export async function insertClosingDonation(
  manager: EntityManager,
  d: { closingId: string; memberId: string; charityId: string; points: number; receiptId: string; valueMinor: bigint; currency: string },
): Promise<void> {
  await sql(
    manager,
    `INSERT INTO donations (id, member_id, charity_id, points, receipt_id, status, value_minor, currency)
     VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $7) ON CONFLICT (id) DO NOTHING`,
    [d.closingId, d.memberId, d.charityId, d.points, d.receiptId, d.valueMinor.toString(), d.currency],
  );
}
