import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** Ambassadors (migration 1741320000000-ambassadors): members whose referrals brought enough active friends. */

export interface AmbassadorRow {
  member_id: string;
  since: Date;
  active_friends: number;
}

/**
 * The member's referred friends who are active: an earn with points in the last 12 months (database time).
 * One range of the referrer index, and one probe of each friend's newest transactions.
 */
export async function activeFriends(manager: EntityManager, referrerId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>(
    manager,
    `SELECT count(*)::int AS n FROM member_registrations r
      WHERE r.referred_by = $1
        AND EXISTS (SELECT 1 FROM transactions t WHERE t.member_id = r.member_id AND t.kind = 'EARN' AND t.points > 0 AND t.created_at > now() - interval '12 months')`,
    [referrerId],
  );
  return rows[0].n;
}

export async function ambassadorOf(manager: EntityManager, memberId: string): Promise<AmbassadorRow | null> {
  const { rows } = await sql<AmbassadorRow>(manager, 'SELECT member_id, since, active_friends FROM ambassadors WHERE member_id = $1', [memberId]);
  return rows[0] ?? null;
}

/** Makes the member an ambassador from now; false when they were one already (once, whoever gets there first). */
export async function recordAmbassador(manager: EntityManager, memberId: string, friends: number): Promise<boolean> {
  const { rowCount } = await sql(manager, 'INSERT INTO ambassadors (member_id, active_friends) VALUES ($1, $2) ON CONFLICT (member_id) DO NOTHING', [memberId, friends]);
  return rowCount > 0;
}

/** Ambassadors, earliest first, after the ambassador `afterMemberId` (a keyset page; its exact time comes from the database). */
export async function listAmbassadors(manager: EntityManager, limit: number, afterMemberId: string | null): Promise<AmbassadorRow[]> {
  const { rows } = await sql<AmbassadorRow>(
    manager,
    `SELECT member_id, since, active_friends FROM ambassadors
      WHERE $2::uuid IS NULL OR (since, member_id) > (SELECT c.since, c.member_id FROM ambassadors c WHERE c.member_id = $2)
      ORDER BY since, member_id LIMIT $1`,
    [limit, afterMemberId],
  );
  return rows;
}
