import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Member counts for the programme KPIs: members enrolled and closed in [from, to), coalition-wide or
 * enrolled by one partner. Ranges of members_enrolled_at_idx / members_partner_enrolled_idx and
 * members_closed_at_idx (migration 1740300000000). A merged member counts as closed.
 */
export async function readMemberCounts(manager: EntityManager, from: Date, to: Date, partnerId: string | null): Promise<{ enrolled: number; closed: number }> {
  const partner = partnerId === null ? '$3::uuid IS NULL' : 'enrolled_by_partner_id = $3';
  const { rows } = await sql<{ enrolled: string; closed: string }>(
    manager,
    `SELECT (SELECT count(*) FROM members WHERE enrolled_at >= $1 AND enrolled_at < $2 AND ${partner})::text AS enrolled,
            (SELECT count(*) FROM members WHERE closed_at >= $1 AND closed_at < $2 AND ${partner})::text AS closed`,
    [from, to, partnerId],
  );
  return { enrolled: Number(rows[0].enrolled), closed: Number(rows[0].closed) };
}
