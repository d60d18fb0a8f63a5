import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Giving for the programme KPIs: donations confirmed in [from, to) (coalition-wide) and pledges accrued
 * on earns in the period (coalition-wide or one partner's), in minor units per currency. Ranges of
 * donations_confirmed_at_idx, pledge_accruals_occurred_idx (migration 1740300000000) and
 * pledge_accruals_partner_idx.
 */
export async function readDonated(manager: EntityManager, from: Date, to: Date): Promise<{ count: number; points: bigint }> {
  const { rows } = await sql<{ count: string; points: string }>(
    manager,
    `SELECT count(*)::text AS count, coalesce(sum(points), 0)::text AS points
       FROM donations WHERE status = 'CONFIRMED' AND confirmed_at >= $1 AND confirmed_at < $2`,
    [from, to],
  );
  return { count: Number(rows[0].count), points: BigInt(rows[0].points) };
}

/** Pledged amounts (accruals less their reversals) per currency, minor units. */
export async function readPledged(manager: EntityManager, from: Date, to: Date, partnerId: string | null): Promise<{ currency: string; minor: bigint }[]> {
  const { rows } = await sql<{ currency: string; minor: string }>(
    manager,
    `SELECT currency, sum(amount_minor)::text AS minor FROM pledge_accruals
      WHERE occurred_at >= $1 AND occurred_at < $2 AND kind IN ('ACCRUAL', 'REVERSAL') AND ${partnerId === null ? '$3::uuid IS NULL' : 'partner_id = $3'}
      GROUP BY currency ORDER BY currency`,
    [from, to, partnerId],
  );
  return rows.map((r) => ({ currency: r.currency, minor: BigInt(r.minor) }));
}
