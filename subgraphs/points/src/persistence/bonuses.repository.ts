import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Welcome, referral and birthday bonuses (migrations 1739430000000-welcome-bonuses and
 * 1741100000000-member-registrations), inside a caller's database transaction. Each claim locks what it
 * answers with SKIP LOCKED, so sweepers on several instances share the work and never take the same row.
 */

export interface WelcomeDue {
  accountId: string;
  memberId: string;
  /** The rule in force for the member (its enrolling partner's, else the coalition's); null: the configured default. */
  ruleId: string | null;
  points: bigint;
}

/**
 * Member accounts opened in the last `withinDays` days that have no welcome bonus row yet and a welcome
 * bonus in force (the newest rule for the partner that enrolled the member, else the newest coalition-wide
 * rule, else `defaultPoints`) above zero, locked (up to `limit`, in account id order). A member whose bonus
 * is off stays a candidate while the window lasts: a rule set in the meantime still pays them.
 */
export async function claimAccountsWithoutWelcome(manager: EntityManager, withinDays: number, limit: number, defaultPoints: number): Promise<WelcomeDue[]> {
  const { rows } = await sql<{ id: string; owner_id: string; rule_id: string | null; points: string | null }>(
    manager,
    `SELECT a.id, a.owner_id, w.id AS rule_id, w.points::text AS points
       FROM accounts a
       LEFT JOIN member_registrations r ON r.member_id = a.owner_id
       LEFT JOIN LATERAL (
         SELECT id, points FROM welcome_bonus_rules
          WHERE (partner_id = r.enrolled_by_partner_id OR partner_id IS NULL) AND effective_from <= now()
          ORDER BY partner_id IS NULL, effective_from DESC, created_at DESC LIMIT 1) w ON true
      WHERE a.kind = 'MEMBER' AND a.created_at > now() - make_interval(days => $1) AND a.closed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM welcome_bonuses b WHERE b.member_id = a.owner_id)
        AND coalesce(w.points, $3) > 0
      ORDER BY a.id LIMIT $2 FOR UPDATE OF a SKIP LOCKED`,
    [withinDays, limit, defaultPoints],
  );
  return rows.map((r) => ({ accountId: r.id, memberId: r.owner_id, ruleId: r.rule_id, points: BigInt(r.points ?? defaultPoints) }));
}

/** Whether the member's welcome row exists (a new statement: it sees rows committed since the claim). */
export async function hasWelcome(manager: EntityManager, memberId: string): Promise<boolean> {
  const { rowCount } = await sql(manager, 'SELECT 1 FROM welcome_bonuses WHERE member_id = $1', [memberId]);
  return rowCount > 0;
}

/** Records the member's welcome bonus (none: 0 points, no transaction); false when a row exists already (paid once, by whoever got there first). */
export async function recordWelcome(manager: EntityManager, memberId: string, transactionId: string | null, points: bigint): Promise<boolean> {
  const { rowCount } = await sql(manager, 'INSERT INTO welcome_bonuses (member_id, transaction_id, points) VALUES ($1, $2, $3) ON CONFLICT (member_id) DO NOTHING', [
    memberId,
    transactionId,
    points.toString(),
  ]);
  return rowCount > 0;
}

export interface WelcomeRuleRow {
  id: string;
  partner_id: string | null;
  points: string;
  effective_from: Date;
  created_by: string;
}

/** Whether any welcome rule in force gives points (none, and no default: the welcome round has nothing to do). */
export async function anyWelcomeRuleGives(manager: EntityManager): Promise<boolean> {
  const { rowCount } = await sql(manager, 'SELECT 1 FROM welcome_bonus_rules WHERE points > 0 LIMIT 1');
  return rowCount > 0;
}

/** Appends a welcome rule, in force from now. */
export async function insertWelcomeRule(manager: EntityManager, partnerId: string | null, points: bigint, createdBy: string): Promise<WelcomeRuleRow> {
  const { rows } = await sql<WelcomeRuleRow>(
    manager,
    'INSERT INTO welcome_bonus_rules (partner_id, points, created_by) VALUES ($1, $2, $3) RETURNING id, partner_id, points::text, effective_from, created_by',
    [partnerId, points.toString(), createdBy],
  );
  return rows[0];
}

/** The welcome rules in force now: the coalition's (partner_id null) and each partner's newest. */
export async function welcomeRulesInForce(manager: EntityManager): Promise<WelcomeRuleRow[]> {
  const { rows } = await sql<WelcomeRuleRow>(
    manager,
    `SELECT DISTINCT ON (partner_id) id, partner_id, points::text, effective_from, created_by
       FROM welcome_bonus_rules WHERE effective_from <= now()
      ORDER BY partner_id NULLS FIRST, effective_from DESC, created_at DESC`,
  );
  return rows;
}

export interface ReferralDue {
  friendId: string;
  referrerId: string;
  /** The friend's first earn with points that is not reversed; null: none yet. */
  qualifyingTransactionId: string | null;
}

/**
 * The referrals to settle now, from the oldest signals no other sweep holds (up to `limit`, locked until
 * commit: migration 1741610000000): each signalled member's registration is locked (one another sweep is
 * settling is skipped, and its signals kept for the next sweep), and a member with an open referral and a
 * first earn with points that is not reversed is answered. The signals of every member looked at (or with
 * no registration yet: a new one signals again) are deleted in the caller's transaction, so they go only
 * when the round that paid, or found nothing to pay, commits.
 */
export async function claimDueReferrals(manager: EntityManager, limit: number): Promise<ReferralDue[]> {
  const { rows: signals } = await sql<{ id: string; member_id: string }>(
    manager,
    'SELECT id::text, member_id FROM referral_checks ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
    [limit],
  );
  if (signals.length === 0) return [];
  const members = [...new Set(signals.map((s) => s.member_id))];
  const { rows } = await sql<{ member_id: string; referred_by: string | null; transaction_id: string | null; mine: boolean }>(
    manager,
    `WITH mine AS (
       SELECT r.member_id, r.referred_by, r.referral_settled_at FROM member_registrations r
        WHERE r.member_id = ANY($1::uuid[]) ORDER BY r.member_id FOR UPDATE OF r SKIP LOCKED)
     SELECT m.member_id, m.referred_by, q.id AS transaction_id, true AS mine
       FROM mine m
       LEFT JOIN LATERAL (
         SELECT t.id FROM transactions t
          WHERE m.referred_by IS NOT NULL AND m.referral_settled_at IS NULL
            AND t.member_id = m.member_id AND t.kind = 'EARN' AND t.points > 0
            AND NOT EXISTS (SELECT 1 FROM transactions x WHERE x.reverses = t.id)
          ORDER BY t.created_at, t.id LIMIT 1) q ON true
     UNION ALL
     SELECT r.member_id, NULL, NULL, false FROM member_registrations r
      WHERE r.member_id = ANY($1::uuid[]) AND r.member_id NOT IN (SELECT member_id FROM mine)`,
    [members],
  );
  const heldElsewhere = new Set(rows.filter((r) => !r.mine).map((r) => r.member_id));
  const lookedAt = members.filter((m) => !heldElsewhere.has(m));
  await sql(manager, 'DELETE FROM referral_checks WHERE id = ANY($1::bigint[]) AND member_id = ANY($2::uuid[])', [signals.map((s) => s.id), lookedAt]);
  return rows
    .filter((r) => r.mine && r.referred_by !== null && r.transaction_id !== null)
    .sort((a, b) => (a.member_id < b.member_id ? -1 : a.member_id > b.member_id ? 1 : 0))
    .map((r) => ({ friendId: r.member_id, referrerId: r.referred_by as string, qualifyingTransactionId: r.transaction_id as string }));
}

/** Referral bonuses the referrer was paid since `since` (their yearly cap counts these). */
export async function referrerRewardsSince(manager: EntityManager, referrerId: string, since: Date): Promise<number> {
  const { rows } = await sql<{ n: string }>(
    manager,
    'SELECT count(*)::text AS n FROM referral_bonuses WHERE referrer_id = $1 AND referrer_transaction_id IS NOT NULL AND created_at >= $2',
    [referrerId, since],
  );
  return Number(rows[0].n);
}

/** Records the friend's referral as settled, with what each side was paid; false when it was settled already. */
export async function recordReferral(
  manager: EntityManager,
  r: { friendId: string; referrerId: string; qualifyingTransactionId: string; friend: { transactionId: string; points: bigint } | null; referrer: { transactionId: string; points: bigint } | null },
): Promise<boolean> {
  const { rowCount } = await sql(
    manager,
    `WITH ins AS (
       INSERT INTO referral_bonuses (friend_id, referrer_id, qualifying_transaction_id, friend_transaction_id, friend_points, referrer_transaction_id, referrer_points)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (friend_id) DO NOTHING RETURNING friend_id
     )
     UPDATE member_registrations SET referral_settled_at = now() FROM ins WHERE member_registrations.member_id = ins.friend_id`,
    [
      r.friendId,
      r.referrerId,
      r.qualifyingTransactionId,
      r.friend?.transactionId ?? null,
      (r.friend?.points ?? 0n).toString(),
      r.referrer?.transactionId ?? null,
      (r.referrer?.points ?? 0n).toString(),
    ],
  );
  return rowCount > 0;
}

/**
 * Members whose birthday falls in the period (`day` null: the whole month) and who have an open points
 * account and no birthday bonus for `year`, locked (up to `limit`, by account). On 28 February of a year
 * that is not a leap year, day mode includes members born on the 29th.
 */
export async function claimDueBirthdays(
  manager: EntityManager,
  period: { year: number; month: number; day: number | null; includeLeapDay: boolean },
  limit: number,
): Promise<{ accountId: string; memberId: string }[]> {
  const { rows } = await sql<{ id: string; member_id: string }>(
    manager,
    `SELECT a.id, r.member_id
       FROM member_registrations r
       JOIN accounts a ON a.kind = 'MEMBER' AND a.owner_id = r.member_id AND a.closed_at IS NULL
      WHERE r.birth_month = $2 AND ($3::int IS NULL OR r.birth_day = $3 OR ($4 AND r.birth_day = 29))
        AND NOT EXISTS (SELECT 1 FROM birthday_bonuses b WHERE b.member_id = r.member_id AND b.year = $1)
      ORDER BY a.id LIMIT $5 FOR UPDATE OF a SKIP LOCKED`,
    [period.year, period.month, period.day, period.includeLeapDay, limit],
  );
  return rows.map((r) => ({ accountId: r.id, memberId: r.member_id }));
}

/** Records the member's birthday bonus for the year; false when one exists already. */
export async function recordBirthday(manager: EntityManager, memberId: string, year: number, transactionId: string, points: bigint): Promise<boolean> {
  const { rowCount } = await sql(
    manager,
    'INSERT INTO birthday_bonuses (member_id, year, transaction_id, points) VALUES ($1, $2, $3, $4) ON CONFLICT (member_id, year) DO NOTHING',
    [memberId, year, transactionId, points.toString()],
  );
  return rowCount > 0;
}
