import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** The current calendar month (UTC), as the qualifying buckets name months. */
const CURRENT_MONTH = `date_trunc('month', now() AT TIME ZONE 'UTC')::date`;

/**
 * Takes this month's tier-decay check for the caller's transaction: true when it is this caller's to do
 * (not done yet, and no other instance holding it: SKIP LOCKED), false otherwise.
 */
export async function claimTierDecayCheck(manager: EntityManager): Promise<boolean> {
  // Most sweeps of a month find it done: a plain read, no row lock written.
  const done = await sql(manager, `SELECT 1 FROM tier_decay_checks WHERE month = ${CURRENT_MONTH} AND checked_at IS NOT NULL`);
  if (done.rowCount > 0) return false;
  await sql(manager, `INSERT INTO tier_decay_checks (month) VALUES (${CURRENT_MONTH}) ON CONFLICT (month) DO NOTHING`);
  const { rows } = await sql<{ checked_at: Date | null }>(manager, `SELECT checked_at FROM tier_decay_checks WHERE month = ${CURRENT_MONTH} FOR UPDATE SKIP LOCKED`);
  return rows.length === 1 && rows[0].checked_at === null;
}

/** Marks this month's check done (in the transaction that claimed it). */
export async function completeTierDecayCheck(manager: EntityManager): Promise<void> {
  await sql(manager, `UPDATE tier_decay_checks SET checked_at = now() WHERE month = ${CURRENT_MONTH}`);
}

/**
 * member.tier_changed for every open member whose tier fell because the bucket of twelve months ago left the
 * window this month: the tier on the window's figure (the trigger's: this month and the eleven before) against
 * the tier had the aged bucket still counted, each the higher of it and the tier retention keeps (so a member
 * whose reached tier is retained hears nothing until it is no longer kept). One notice per member and month (the key), so a second run,
 * on any instance, adds nothing. Answers the notices written.
 */
export async function noticeAgedOutTiers(manager: EntityManager): Promise<number> {
  const { rowCount } = await sql(
    manager,
    `WITH cur AS (SELECT ${CURRENT_MONTH} AS m),
     aged AS (
       SELECT q.member_id, q.points AS aged FROM qualifying_points q, cur
        WHERE q.month = (cur.m - interval '12 months')::date AND q.points > 0
          AND EXISTS (SELECT 1 FROM accounts a WHERE a.kind = 'MEMBER' AND a.owner_id = q.member_id AND a.closed_at IS NULL)
     ), kept AS (
       SELECT a.member_id, a.aged, coalesce(sum(q.points), 0)::bigint AS kept
         FROM aged a CROSS JOIN cur
         LEFT JOIN qualifying_points q ON q.member_id = a.member_id AND q.month > (cur.m - interval '12 months')::date
        GROUP BY a.member_id, a.aged
     ), held AS (
       -- The tier retention keeps (tier_status: the higher of it and the qualifying tier is the member's tier);
       -- members under an admin's override in force hear nothing (their tier is the override's).
       SELECT k.member_id, k.kept, k.aged, coalesce(ledger_retained_threshold(s.held_threshold, s.retained_until), 0) AS retained
         FROM kept k LEFT JOIN tier_status s ON s.member_id = k.member_id
        WHERE NOT EXISTS (SELECT 1 FROM tier_overrides o WHERE o.member_id = k.member_id AND o.ends_at > now())
     ), moved AS (
       SELECT member_id, kept, ledger_tier_for(greatest(kept + aged, retained)) AS before, ledger_tier_for(greatest(kept, retained)) AS after FROM held
     )
     INSERT INTO member_notices (member_id, type, payload, notice_key)
     SELECT member_id, 'member.tier_changed',
            jsonb_build_object('memberId', member_id, 'from', before, 'to', after, 'qualifyingPoints', kept, 'reason', 'QUALIFYING_POINTS_AGED_OUT'),
            'member.tier_changed:aged:' || member_id || ':' || to_char(cur.m, 'YYYY-MM')
       FROM moved, cur
      WHERE before IS DISTINCT FROM after
     ON CONFLICT (notice_key) DO NOTHING`,
  );
  return rowCount;
}
