import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Totals over the donations subgraph's own records, for the giving reports. It decides nothing: the
 * reports service decides who may read which charity's or partner's totals and over which window.
 */

export type GivingKind = 'DONATION' | 'PLEDGE' | 'MATCH';

export interface GivingRow {
  period: string;
  kind: GivingKind;
  charityId: string;
  partnerId: string | null;
  currency: string;
  count: bigint;
  points: bigint;
  valueMinor: bigint;
}

/** CONFIRMED donations per charity in [from, to) (one charity, or all when null), most points first. */
export async function donationTotalsByCharity(
  manager: EntityManager,
  window: { from: Date; to: Date },
  charityId: string | null,
): Promise<{ charityId: string; points: bigint; donations: number }[]> {
  const { rows } = await sql<{ charity_id: string; points: string; donations: string }>(
    manager,
    `SELECT charity_id, sum(points)::text AS points, count(*)::text AS donations FROM donations
      WHERE status = 'CONFIRMED' AND created_at >= $1 AND created_at < $2 AND ($3::uuid IS NULL OR charity_id = $3)
      GROUP BY charity_id ORDER BY sum(points) DESC, charity_id`,
    [window.from, window.to, charityId],
  );
  return rows.map((r) => ({ charityId: r.charity_id, points: BigInt(r.points), donations: Number(r.donations) }));
}

/**
 * Confirmed donations, pledge accruals net of their reversals, and matches in [from, to), totalled by
 * UTC period (DAY or MONTH), kind, charity, partner and currency; each filter null: any.
 */
export async function givingTotals(
  manager: EntityManager,
  q: { from: Date; to: Date; period: 'DAY' | 'MONTH'; kinds: GivingKind[]; charityId: string | null; partnerId: string | null },
): Promise<GivingRow[]> {
  const unit = q.period === 'DAY' ? 'day' : 'month';
  const format = q.period === 'DAY' ? 'YYYY-MM-DD' : 'YYYY-MM';
  const { rows } = await sql<{ period: string; kind: GivingKind; charity_id: string; partner_id: string | null; currency: string; n: string; points: string; value: string }>(
    manager,
    `WITH facts AS (
       SELECT 'DONATION'::text AS kind, charity_id, NULL::uuid AS partner_id, created_at AS at, 1 AS n, points, value_minor AS value, currency
         FROM donations WHERE status = 'CONFIRMED'
       UNION ALL
       SELECT 'PLEDGE', charity_id, partner_id, occurred_at, CASE WHEN kind = 'REVERSAL' THEN -1 ELSE 1 END, 0, amount_minor, currency
         FROM pledge_accruals WHERE kind IN ('ACCRUAL', 'REVERSAL')
       UNION ALL
       SELECT 'MATCH', charity_id, partner_id, created_at, 1, points, value_minor, currency FROM matches
     )
     SELECT to_char(date_trunc('${unit}', at AT TIME ZONE 'UTC'), '${format}') AS period, kind, charity_id, partner_id, currency,
            sum(n)::text AS n, sum(points)::text AS points, sum(value)::text AS value
       FROM facts
      WHERE at >= $1 AND at < $2 AND kind = ANY($3) AND ($4::uuid IS NULL OR charity_id = $4) AND ($5::uuid IS NULL OR partner_id = $5)
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    [q.from, q.to, q.kinds, q.charityId, q.partnerId],
  );
  return rows.map((r) => ({
    period: r.period,
    kind: r.kind,
    charityId: r.charity_id,
    partnerId: r.partner_id,
    currency: r.currency,
    count: BigInt(r.n),
    points: BigInt(r.points),
    valueMinor: BigInt(r.value),
  }));
}

export interface MemberGivingTotals {
  donations: bigint;
  points: bigint;
  value: { currency: string; minor: bigint }[];
  pledged: { currency: string; minor: bigint }[];
  matched: bigint;
  charities: bigint;
}

/** A member's confirmed donations (count, points, value per currency, charities), the matches they drew, and pledges accrued for them. */
export async function memberGivingTotals(manager: EntityManager, memberId: string): Promise<MemberGivingTotals> {
  const { rows } = await sql<{ donations: string; points: string; charities: string; matched: string }>(
    manager,
    `SELECT count(*)::text AS donations, coalesce(sum(points), 0)::text AS points, count(DISTINCT charity_id)::text AS charities,
            (SELECT coalesce(sum(m.points), 0) FROM matches m JOIN donations d ON d.id = m.donation_id WHERE d.member_id = $1)::text AS matched
       FROM donations WHERE member_id = $1 AND status = 'CONFIRMED'`,
    [memberId],
  );
  const value = await sql<{ currency: string; minor: string }>(
    manager,
    `SELECT currency, sum(value_minor)::text AS minor FROM donations WHERE member_id = $1 AND status = 'CONFIRMED' GROUP BY currency ORDER BY currency`,
    [memberId],
  );
  const pledged = await sql<{ currency: string; minor: string }>(
    manager,
    `SELECT currency, sum(amount_minor)::text AS minor FROM pledge_accruals WHERE member_id = $1 AND kind IN ('ACCRUAL', 'REVERSAL') GROUP BY currency ORDER BY currency`,
    [memberId],
  );
  const r = rows[0];
  return {
    donations: BigInt(r.donations),
    points: BigInt(r.points),
    charities: BigInt(r.charities),
    matched: BigInt(r.matched),
    value: value.rows.map((v) => ({ currency: v.currency, minor: BigInt(v.minor) })),
    pledged: pledged.rows.map((v) => ({ currency: v.currency, minor: BigInt(v.minor) })),
  };
}
