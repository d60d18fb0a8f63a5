import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** welcome_bonuses (migration 1739430000000-welcome-bonuses), inside a caller's database transaction. */

/**
 * Member accounts opened in the last `withinDays` days that have no welcome bonus row yet, locked (up to
 * `limit`, in account id order); accounts another sweeper holds are skipped, so sweepers never wait on
 * each other nor take the same account.
 */
export async function claimAccountsWithoutWelcome(manager: EntityManager, withinDays: number, limit: number): Promise<{ accountId: string; memberId: string }[]> {
  const { rows } = await sql<{ id: string; owner_id: string }>(
    manager,
    `SELECT a.id, a.owner_id FROM accounts a
      WHERE a.kind = 'MEMBER' AND a.created_at > now() - make_interval(days => $1) AND a.closed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM welcome_bonuses w WHERE w.member_id = a.owner_id)
      ORDER BY a.id LIMIT $2 FOR UPDATE OF a SKIP LOCKED`,
    [withinDays, limit],
  );
  return rows.map((r) => ({ accountId: r.id, memberId: r.owner_id }));
}

/** Whether the member's welcome row exists (a new statement: it sees rows committed since the claim). */
export async function hasWelcome(manager: EntityManager, memberId: string): Promise<boolean> {
  const { rowCount } = await sql(manager, 'SELECT 1 FROM welcome_bonuses WHERE member_id = $1', [memberId]);
  return rowCount > 0;
}

/** Records the member's welcome bonus; false when a row exists already (paid once, by whoever got there first). */
export async function recordWelcome(manager: EntityManager, memberId: string, transactionId: string | null, points: bigint): Promise<boolean> {
  const { rowCount } = await sql(manager, 'INSERT INTO welcome_bonuses (member_id, transaction_id, points) VALUES ($1, $2, $3) ON CONFLICT (member_id) DO NOTHING', [
    memberId,
    transactionId,
    points.toString(),
  ]);
  return rowCount > 0;
}
