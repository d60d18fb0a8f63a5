import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type MembershipPerks } from '../domain/membership.rules';

/**
 * Paid memberships (migration 1741500000000-paid-memberships): plans, each member's membership (the current
 * run), every sale, and the monthly bonuses. Used inside a caller's transaction where it writes;
 * MembershipService decides who may do what.
 */

export interface PlanRow {
  id: string;
  name: string;
  priceMinor: bigint;
  currency: string;
  periodMonths: number;
  earnMultiplierMilli: bigint;
  tierFloor: string | null;
  monthlyBonusPoints: bigint;
  earlyAccessDays: number;
  createdAt: Date;
}

export interface MembershipRow {
  id: string;
  memberId: string;
  planId: string;
  startedAt: Date;
  periodEnd: Date;
  cancelAtPeriodEnd: boolean;
  cancelledAt: Date | null;
  /** Whether the period runs at the database's now. */
  active: boolean;
  /** The database's now when read (what the status is judged by). */
  readAt: Date;
}

export interface PurchaseRow {
  id: string;
  membershipId: string;
  memberId: string;
  planId: string;
  partnerId: string | null;
  paymentReference: string;
  priceMinor: bigint;
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  renewal: boolean;
  createdAt: Date;
}

type RawPlan = {
  id: string;
  name: string;
  price_minor: string;
  currency: string;
  period_months: number;
  earn_multiplier_milli: number;
  tier_floor: string | null;
  monthly_bonus_points: string;
  early_access_days: number;
  created_at: Date;
};
const toPlan = (r: RawPlan): PlanRow => ({
  id: r.id,
  name: r.name,
  priceMinor: BigInt(r.price_minor),
  currency: r.currency,
  periodMonths: r.period_months,
  earnMultiplierMilli: BigInt(r.earn_multiplier_milli),
  tierFloor: r.tier_floor,
  monthlyBonusPoints: BigInt(r.monthly_bonus_points),
  earlyAccessDays: r.early_access_days,
  createdAt: r.created_at,
});

const MEMBERSHIP_COLUMNS = `m.id, m.member_id, m.plan_id, m.started_at, m.period_end, m.cancel_at_period_end, m.cancelled_at, m.period_end > now() AS active, now() AS read_at`;
type RawMembership = {
  id: string;
  member_id: string;
  plan_id: string;
  started_at: Date;
  period_end: Date;
  cancel_at_period_end: boolean;
  cancelled_at: Date | null;
  active: boolean;
  read_at: Date;
};
const toMembership = (r: RawMembership): MembershipRow => ({
  id: r.id,
  memberId: r.member_id,
  planId: r.plan_id,
  startedAt: r.started_at,
  periodEnd: r.period_end,
  cancelAtPeriodEnd: r.cancel_at_period_end,
  cancelledAt: r.cancelled_at,
  active: r.active,
  readAt: r.read_at,
});

type RawPurchase = {
  id: string;
  membership_id: string;
  member_id: string;
  plan_id: string;
  partner_id: string | null;
  payment_reference: string;
  price_minor: string;
  currency: string;
  period_start: Date;
  period_end: Date;
  renewal: boolean;
  created_at: Date;
};
const toPurchase = (r: RawPurchase): PurchaseRow => ({
  id: r.id,
  membershipId: r.membership_id,
  memberId: r.member_id,
  planId: r.plan_id,
  partnerId: r.partner_id,
  paymentReference: r.payment_reference,
  priceMinor: BigInt(r.price_minor),
  currency: r.currency,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  renewal: r.renewal,
  createdAt: r.created_at,
});

export async function insertPlan(manager: EntityManager, p: Omit<PlanRow, 'createdAt'>, createdBy: string): Promise<PlanRow> {
  const { rows } = await sql<RawPlan>(
    manager,
    `INSERT INTO membership_plans (id, name, price_minor, currency, period_months, earn_multiplier_milli, tier_floor, monthly_bonus_points, early_access_days, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [p.id, p.name, p.priceMinor.toString(), p.currency, p.periodMonths, p.earnMultiplierMilli.toString(), p.tierFloor, p.monthlyBonusPoints.toString(), p.earlyAccessDays, createdBy],
  );
  return toPlan(rows[0]);
}

export async function plansById(manager: EntityManager, ids: readonly string[]): Promise<PlanRow[]> {
  const { rows } = await sql<RawPlan>(manager, 'SELECT * FROM membership_plans WHERE id = ANY($1::uuid[])', [[...ids]]);
  return rows.map(toPlan);
}

/** Every plan, newest first (at most 200). */
export async function listPlans(manager: EntityManager): Promise<PlanRow[]> {
  const { rows } = await sql<RawPlan>(manager, 'SELECT * FROM membership_plans ORDER BY created_at DESC, id LIMIT 200');
  return rows.map(toPlan);
}

/** The member's membership (any status), locked for the caller's transaction when `lock`. */
export async function membershipOf(manager: EntityManager, memberId: string, lock = false): Promise<MembershipRow | null> {
  const { rows } = await sql<RawMembership>(manager, `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships m WHERE m.member_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [memberId]);
  return rows[0] ? toMembership(rows[0]) : null;
}

export async function membershipsOf(manager: EntityManager, memberIds: readonly string[]): Promise<MembershipRow[]> {
  const { rows } = await sql<RawMembership>(manager, `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships m WHERE m.member_id = ANY($1::uuid[])`, [[...memberIds]]);
  return rows.map(toMembership);
}

/**
 * Starts the member's membership of `planId` now for `months` (a first purchase, or one after the last
 * period ended: a new run, anchored now, not cancelled), and answers the period it bought.
 */
export async function startRun(manager: EntityManager, r: { id: string; memberId: string; planId: string; months: number }): Promise<{ membershipId: string; periodStart: Date; periodEnd: Date }> {
  const { rows } = await sql<{ id: string; anchor_at: Date; period_end: Date }>(
    manager,
    `INSERT INTO memberships (id, member_id, plan_id, anchor_at, months, period_end)
     VALUES ($1, $2, $3, now(), $4, now() + make_interval(months => $4))
     ON CONFLICT (member_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, anchor_at = now(), months = EXCLUDED.months, period_end = EXCLUDED.period_end,
       cancel_at_period_end = false, cancelled_at = NULL, status = 'ACTIVE', expired_at = NULL, started_at = now(), updated_at = now()
     RETURNING id, anchor_at, period_end`,
    [r.id, r.memberId, r.planId, r.months],
  );
  return { membershipId: rows[0].id, periodStart: rows[0].anchor_at, periodEnd: rows[0].period_end };
}

/**
 * Renews the member's running membership for `months` more, from its current period's end (counted from
 * the run's anchor, so month ends do not drift), and lifts a cancellation: the member paid again.
 */
export async function extendRun(manager: EntityManager, membershipId: string, months: number): Promise<{ periodStart: Date; periodEnd: Date }> {
  const { rows } = await sql<{ period_start: Date; period_end: Date }>(
    manager,
    `UPDATE memberships m SET months = m.months + $2, period_end = m.anchor_at + make_interval(months => m.months + $2),
            cancel_at_period_end = false, cancelled_at = NULL, status = 'ACTIVE', expired_at = NULL, updated_at = now()
       FROM memberships old WHERE old.id = m.id AND m.id = $1
     RETURNING old.period_end AS period_start, m.period_end`,
    [membershipId, months],
  );
  return { periodStart: rows[0].period_start, periodEnd: rows[0].period_end };
}

/** Records a sale; null when the payment reference was already used at this seller (nothing written). */
export async function insertPurchase(manager: EntityManager, p: Omit<PurchaseRow, 'createdAt'>, createdBy: string): Promise<PurchaseRow | null> {
  const { rows } = await sql<RawPurchase>(
    manager,
    `INSERT INTO membership_purchases (id, membership_id, member_id, plan_id, partner_id, payment_reference, price_minor, currency, period_start, period_end, renewal, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING RETURNING *`,
    [p.id, p.membershipId, p.memberId, p.planId, p.partnerId, p.paymentReference, p.priceMinor.toString(), p.currency, p.periodStart, p.periodEnd, p.renewal, createdBy],
  );
  return rows[0] ? toPurchase(rows[0]) : null;
}

export async function findPurchase(manager: EntityManager, id: string): Promise<PurchaseRow | null> {
  const { rows } = await sql<RawPurchase>(manager, 'SELECT * FROM membership_purchases WHERE id = $1', [id]);
  return rows[0] ? toPurchase(rows[0]) : null;
}

/** Cancels at period end (the caller holds the row); answers the membership as it is now. */
export async function cancelAtPeriodEnd(manager: EntityManager, membershipId: string): Promise<MembershipRow> {
  const { rows } = await sql<RawMembership>(
    manager,
    `UPDATE memberships m SET cancel_at_period_end = true, cancelled_at = now(), updated_at = now() WHERE m.id = $1 RETURNING ${MEMBERSHIP_COLUMNS}`,
    [membershipId],
  );
  return toMembership(rows[0]);
}

/**
 * The sweeper's status round: runs whose period ended are marked EXPIRED (at their end). Reads never depend
 * on it (period_end decides); it keeps the active index small and reports honest. A renewal racing it
 * wins: the UPDATE re-checks period_end on the row it waited for.
 */
export async function markEnded(manager: EntityManager, limit: number): Promise<number> {
  const { rowCount } = await sql(
    manager,
    `UPDATE memberships SET status = 'EXPIRED', expired_at = period_end, updated_at = now()
      WHERE id IN (SELECT id FROM memberships WHERE status = 'ACTIVE' AND period_end <= now() ORDER BY period_end LIMIT $1 FOR UPDATE SKIP LOCKED)
        AND period_end <= now()`,
    [limit],
  );
  return rowCount;
}

/**
 * The SQL of the member's ($2) active membership perks, as one JSON column of the earn's pricing read
 * (readPricingContexts): no statement of its own.
 */
export const ACTIVE_PERKS_JSON = `(SELECT json_build_object('plan_id', p.id, 'multiplier_milli', p.earn_multiplier_milli, 'tier_floor', p.tier_floor)
      FROM memberships m JOIN membership_plans p ON p.id = m.plan_id WHERE m.member_id = $2 AND m.period_end > now())`;

export type PerksJson = { plan_id: string; multiplier_milli: number; tier_floor: string | null };

export const fromPerksJson = (r: PerksJson | null): MembershipPerks | null =>
  r ? { planId: r.plan_id, multiplierMilli: BigInt(r.multiplier_milli), tierFloor: r.tier_floor } : null;

/** The member's active membership's perks, early access and period end (tier standing, offer activation), or null. */
export async function activePerks(manager: EntityManager, memberId: string): Promise<(MembershipPerks & { earlyAccessDays: number; periodEnd: Date }) | null> {
  const { rows } = await sql<{ plan_id: string; earn_multiplier_milli: number; tier_floor: string | null; early_access_days: number; period_end: Date }>(
    manager,
    `SELECT p.id AS plan_id, p.earn_multiplier_milli, p.tier_floor, p.early_access_days, m.period_end
       FROM memberships m JOIN membership_plans p ON p.id = m.plan_id WHERE m.member_id = $1 AND m.period_end > now()`,
    [memberId],
  );
  const r = rows[0];
  return r ? { planId: r.plan_id, multiplierMilli: BigInt(r.earn_multiplier_milli), tierFloor: r.tier_floor, earlyAccessDays: r.early_access_days, periodEnd: r.period_end } : null;
}

export interface MonthlyBonusDue {
  accountId: string;
  membershipId: string;
  memberId: string;
  planId: string;
  points: bigint;
  /**
   * The start of the membership month now running: the run's anchor + k whole months, as the database
   * printed it (microseconds: a JavaScript Date would cut them, and the key would never match again).
   */
  monthStart: string;
}

/**
 * Active memberships whose plan pays monthly bonus points and that have no bonus for the membership month
 * now running, with an open points account, locked (up to `limit`, in account order, SKIP LOCKED: sweepers
 * on several instances share the work). A month of membership starts at the run's anchor + k months.
 */
export async function claimDueMonthlyBonuses(manager: EntityManager, limit: number): Promise<MonthlyBonusDue[]> {
  const { rows } = await sql<{ account_id: string; membership_id: string; member_id: string; plan_id: string; points: string; month_start: string }>(
    manager,
    `WITH due AS (
       SELECT m.id AS membership_id, m.member_id, p.id AS plan_id, p.monthly_bonus_points AS points,
              m.anchor_at + make_interval(months => (extract(year FROM age(now(), m.anchor_at))::int * 12 + extract(month FROM age(now(), m.anchor_at))::int)) AS month_start
         FROM memberships m JOIN membership_plans p ON p.id = m.plan_id
        WHERE m.status = 'ACTIVE' AND m.period_end > now() AND m.anchor_at <= now() AND p.monthly_bonus_points > 0
     )
     SELECT a.id AS account_id, d.membership_id, d.member_id, d.plan_id, d.points::text AS points, d.month_start::text AS month_start
       FROM due d JOIN accounts a ON a.kind = 'MEMBER' AND a.owner_id = d.member_id AND a.closed_at IS NULL
      WHERE NOT EXISTS (SELECT 1 FROM membership_bonuses b WHERE b.membership_id = d.membership_id AND b.month_start = d.month_start)
      ORDER BY a.id LIMIT $1 FOR UPDATE OF a SKIP LOCKED`,
    [limit],
  );
  return rows.map((r) => ({ accountId: r.account_id, membershipId: r.membership_id, memberId: r.member_id, planId: r.plan_id, points: BigInt(r.points), monthStart: r.month_start }));
}

/** Whether the month's bonus row exists (a new statement: it sees rows committed since the claim). */
export async function hasMonthlyBonus(manager: EntityManager, membershipId: string, monthStart: string): Promise<boolean> {
  const { rowCount } = await sql(manager, 'SELECT 1 FROM membership_bonuses WHERE membership_id = $1 AND month_start = $2::timestamptz', [membershipId, monthStart]);
  return rowCount > 0;
}

/** Records the month's bonus; false when one exists already (paid once, by whoever got there first). */
export async function recordMonthlyBonus(manager: EntityManager, d: { membershipId: string; monthStart: string; transactionId: string; points: bigint }): Promise<boolean> {
  const { rowCount } = await sql(
    manager,
    'INSERT INTO membership_bonuses (membership_id, month_start, transaction_id, points) VALUES ($1, $2::timestamptz, $3, $4) ON CONFLICT (membership_id, month_start) DO NOTHING',
    [d.membershipId, d.monthStart, d.transactionId, d.points.toString()],
  );
  return rowCount > 0;
}

/** Membership fees the coalition collected itself in [from, to) (sales recorded by the admin without a till), per currency. */
export async function feesCollectedByCoalition(manager: EntityManager, period: { from: Date; to: Date }): Promise<{ currency: string; count: number; minor: bigint }[]> {
  const { rows } = await sql<{ currency: string; n: number; minor: string }>(
    manager,
    `SELECT currency, count(*)::int AS n, sum(price_minor)::text AS minor FROM membership_purchases
      WHERE partner_id IS NULL AND created_at >= $1 AND created_at < $2 GROUP BY currency ORDER BY currency`,
    [period.from, period.to],
  );
  return rows.map((r) => ({ currency: r.currency, count: r.n, minor: BigInt(r.minor) }));
}

/** Membership fees a partner collected in [from, to): sales, and their total in minor units, per currency. */
export async function feesBySeller(manager: EntityManager, period: { from: Date; to: Date }, partnerId: string | null): Promise<{ partnerId: string; currency: string; count: number; minor: bigint }[]> {
  const { rows } = await sql<{ partner_id: string; currency: string; n: number; minor: string }>(
    manager,
    `SELECT partner_id, currency, count(*)::int AS n, sum(price_minor)::text AS minor FROM membership_purchases
      WHERE partner_id IS NOT NULL AND ($3::uuid IS NULL OR partner_id = $3) AND created_at >= $1 AND created_at < $2
      GROUP BY partner_id, currency`,
    [period.from, period.to, partnerId],
  );
  return rows.map((r) => ({ partnerId: r.partner_id, currency: r.currency, count: r.n, minor: BigInt(r.minor) }));
}
