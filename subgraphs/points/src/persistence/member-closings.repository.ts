import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * The ledger's side of closed memberships (migration 1739500000000-member-closing): the decision on each
 * closing id, kept, and the closed flag on the member's account. It decides nothing: the member closing
 * service does, holding the account's lock.
 */

export type ClosingDisposition = 'FORFEIT' | 'DONATE' | 'MERGE';

export interface StoredMemberClosing {
  closingId: string;
  memberId: string;
  disposition: ClosingDisposition;
  targetMemberId: string | null;
  remainingPoints: bigint;
  forfeitedPoints: bigint;
  transactionId: string | null;
}

export async function findMemberClosing(manager: EntityManager, closingId: string): Promise<StoredMemberClosing | null> {
  const { rows } = await sql<{
    closing_id: string;
    member_id: string;
    disposition: ClosingDisposition;
    target_member_id: string | null;
    remaining_points: string;
    forfeited_points: string;
    transaction_id: string | null;
  }>(manager, 'SELECT closing_id, member_id, disposition, target_member_id, remaining_points, forfeited_points, transaction_id FROM member_closings WHERE closing_id = $1', [closingId]);
  const r = rows[0];
  return r
    ? {
        closingId: r.closing_id,
        memberId: r.member_id,
        disposition: r.disposition,
        targetMemberId: r.target_member_id,
        remainingPoints: BigInt(r.remaining_points),
        forfeitedPoints: BigInt(r.forfeited_points),
        transactionId: r.transaction_id,
      }
    : null;
}

export async function insertMemberClosing(manager: EntityManager, c: StoredMemberClosing): Promise<void> {
  await sql(
    manager,
    `INSERT INTO member_closings (closing_id, member_id, disposition, target_member_id, remaining_points, forfeited_points, transaction_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [c.closingId, c.memberId, c.disposition, c.targetMemberId, c.remainingPoints.toString(), c.forfeitedPoints.toString(), c.transactionId],
  );
}

/** Closes a member account for good, naming the closing (or merge) that closed it. */
export async function closeAccount(manager: EntityManager, accountId: string, closingId: string): Promise<void> {
  await sql(manager, 'UPDATE accounts SET closed_at = now(), closed_by = $2 WHERE id = $1 AND closed_at IS NULL', [accountId, closingId]);
}

/** Whether the member's account is closed (a member without an account is not). */
export async function memberAccountClosed(manager: EntityManager, memberId: string): Promise<boolean> {
  const { rowCount } = await sql(manager, `SELECT 1 FROM accounts WHERE kind = 'MEMBER' AND owner_id = $1 AND closed_at IS NOT NULL`, [memberId]);
  return rowCount > 0;
}
