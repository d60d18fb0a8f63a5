import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * The ledger's programme KPIs (KpisService): what the period's transactions moved, by month and per price
 * currency, the points that expired from lots, and the outstanding points at a moment. Read-only; each
 * figure costs the period's activity (a range of transactions_created_idx, or of transactions_partner_idx
 * for one partner), never the whole ledger. Points are text (bigint), values exact decimals as text.
 */

export interface KpiBounds {
  from: Date;
  to: Date;
  partnerId: string | null;
}

/** The period's activity in one month and one price currency (null: moved without a price snapshot). */
export interface ActivityRow {
  month: string;
  currency: string | null;
  earned: string;
  burned: string;
  earned_priced: string;
  earned_value: string;
  burned_value: string;
}

/** Members active in a month, or (month null) in the whole period. */
export interface ActiveRow {
  month: string | null;
  members: string;
}

/** Kinds that put points in a member's hands: an earn at a partner, a grant, a bonus. */
const EARNING = `('EARN', 'GRANT', 'BONUS')`;

/**
 * The period's transactions (one partner's, or every one), summed by month and price currency (the caller
 * adds them up: sums are additive), and the members active per month and in the whole period (distinct
 * counts are not). Earned: points given by earns, grants and bonuses, less their reversals; burned:
 * points redeemed, less reversed redemptions; active: members with an earn, a redemption or a donation.
 * Reversals count in the period they were written in; only a reversal looks up what it reversed (by
 * primary key). One pass over the period's rows (a range of transactions_created_idx, or of
 * transactions_partner_idx for one partner), hash-aggregated: no sort of the period.
 */
export async function readActivity(manager: EntityManager, bounds: KpiBounds): Promise<{ sums: ActivityRow[]; active: ActiveRow[] }> {
  const reversed = `(SELECT o.kind FROM transactions o WHERE o.id = t.reverses)`;
  const { rows } = await sql<ActivityRow & { row_kind: 'sum' | 'active'; members: string | null }>(
    manager,
    `WITH t AS MATERIALIZED (
       SELECT to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, t.kind, t.member_id, t.unit_price, t.price_currency,
              CASE WHEN t.kind IN ${EARNING} THEN t.points
                   WHEN t.kind = 'REVERSAL' AND ${reversed} IN ${EARNING} THEN t.points ELSE 0 END AS earned,
              CASE WHEN t.kind = 'REDEEM' THEN -t.points
                   WHEN t.kind = 'REVERSAL' AND ${reversed} = 'REDEEM' THEN -t.points ELSE 0 END AS burned
         FROM transactions t
        WHERE t.created_at >= $1 AND t.created_at < $2 AND ${bounds.partnerId === null ? '$3::uuid IS NULL' : 't.partner_id = $3'}
     )
     SELECT 'sum' AS row_kind, month, price_currency AS currency, NULL AS members,
            sum(earned)::text AS earned, sum(burned)::text AS burned,
            coalesce(sum(earned) FILTER (WHERE unit_price IS NOT NULL), 0)::text AS earned_priced,
            sum(earned * coalesce(unit_price, 0))::text AS earned_value,
            sum(burned * coalesce(unit_price, 0))::text AS burned_value
       FROM t GROUP BY month, price_currency
     UNION ALL
     SELECT 'active', month, NULL, count(*)::text, NULL, NULL, NULL, NULL, NULL
       FROM (SELECT month, member_id FROM t WHERE kind IN ('EARN', 'REDEEM', 'DONATION') GROUP BY month, member_id) m GROUP BY month
     UNION ALL
     SELECT 'active', NULL, NULL, count(*)::text, NULL, NULL, NULL, NULL, NULL
       FROM (SELECT member_id FROM t WHERE kind IN ('EARN', 'REDEEM', 'DONATION') GROUP BY member_id) p`,
    [bounds.from, bounds.to, bounds.partnerId],
  );
  return {
    sums: rows.filter((r) => r.row_kind === 'sum'),
    active: rows.filter((r) => r.row_kind === 'active').map((r) => ({ month: r.month, members: r.members ?? '0' })),
  };
}

/** Points that expired in the period from lots (one issuer's, or every one's), by month and in all. */
export async function readExpired(manager: EntityManager, bounds: KpiBounds): Promise<{ month: string | null; points: string }[]> {
  const { rows } = await sql<{ month: string | null; points: string }>(
    manager,
    `SELECT to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, sum(-m.points)::text AS points
       FROM transactions t JOIN lot_movements m ON m.transaction_id = t.id JOIN lots l ON l.id = m.lot_id
      WHERE t.created_at >= $1 AND t.created_at < $2 AND t.kind = 'EXPIRY' AND ($3::uuid IS NULL OR l.partner_id = $3)
      GROUP BY ROLLUP (1)`,
    [bounds.from, bounds.to, bounds.partnerId],
  );
  return rows;
}

/**
 * Points members held at `at` from lots (one issuer's, or every one's): what the lots earned before `at`
 * hold now, less what moved on them since (draws since `at` are added back, restorations taken off).
 * Costs the open lots plus the activity after `at`, not the ledger's history.
 */
export async function readLiabilityAt(manager: EntityManager, at: Date, partnerId: string | null): Promise<bigint> {
  const { rows } = await sql<{ points: string }>(
    manager,
    `SELECT ((SELECT coalesce(sum(l.remaining), 0) FROM lots l
               WHERE l.remaining > 0 AND l.earned_at < $1 AND ${partnerId === null ? '$2::uuid IS NULL' : 'l.partner_id = $2'})
           - (SELECT coalesce(sum(m.points), 0) FROM transactions t JOIN lot_movements m ON m.transaction_id = t.id JOIN lots l ON l.id = m.lot_id
               WHERE t.created_at >= $1 AND l.earned_at < $1 AND ($2::uuid IS NULL OR l.partner_id = $2)))::text AS points`,
    [at, partnerId],
  );
  return BigInt(rows[0]?.points ?? '0');
}
