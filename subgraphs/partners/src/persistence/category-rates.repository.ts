import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * partner_category_rates: a partner's extra earn per category, versioned by time and append-only (see
 * migration 1739350000000). It decides nothing: CategoryRatesService validates and authorises.
 */

export interface CategoryRate {
  id: string;
  partnerId: string;
  category: string;
  /** Decimal string, for example "15.00": percent extra on what a line earns at the earn rate. */
  extraPercent: string;
  validFrom: Date;
}

type Row = { id: string; partner_id: string; category: string; extra_percent: string; valid_from: Date };
const toRate = (r: Row): CategoryRate => ({ id: r.id, partnerId: r.partner_id, category: r.category, extraPercent: r.extra_percent, validFrom: r.valid_from });

/** Appends a version in force from `validFrom` (null: now, by the database clock); null when one already starts then. */
export async function insertCategoryRate(
  manager: EntityManager,
  r: { partnerId: string; category: string; extraPercent: string; validFrom: Date | null; createdBy: string },
): Promise<CategoryRate | null> {
  const { rows } = await sql<Row>(
    manager,
    `INSERT INTO partner_category_rates (partner_id, category, extra_percent, valid_from, created_by)
     VALUES ($1, $2, $3, coalesce($4::timestamptz, now()), $5)
     ON CONFLICT (partner_id, category, valid_from) DO NOTHING
     RETURNING id, partner_id, category, extra_percent::text, valid_from`,
    [r.partnerId, r.category, r.extraPercent, r.validFrom, r.createdBy],
  );
  return rows[0] ? toRate(rows[0]) : null;
}

/** Whether `at` (null: now) is in the past by the database clock. */
export async function isPast(manager: EntityManager, at: Date): Promise<boolean> {
  const { rows } = await sql<{ past: boolean }>(manager, 'SELECT $1::timestamptz < now() AS past', [at]);
  return rows[0].past;
}

/** The rates in force at `at` (null: now) for each partner: the newest version per category, zero rates left out. */
export async function categoryRatesAt(manager: EntityManager, partnerIds: readonly string[], at: Date | null): Promise<CategoryRate[]> {
  const { rows } = await sql<Row>(
    manager,
    `SELECT * FROM (
       SELECT DISTINCT ON (partner_id, category) id, partner_id, category, extra_percent::text, valid_from
         FROM partner_category_rates
        WHERE partner_id = ANY($1::uuid[]) AND valid_from <= coalesce($2::timestamptz, now())
        ORDER BY partner_id, category, valid_from DESC) v
      WHERE extra_percent::numeric > 0 ORDER BY partner_id, category`,
    [[...partnerIds], at],
  );
  return rows.map(toRate);
}

/** When the first version appended for later than now takes effect (by the database clock); null: none. */
export async function nextCategoryRateChange(manager: EntityManager, partnerId: string): Promise<Date | null> {
  const { rows } = await sql<{ at: Date | null }>(manager, 'SELECT min(valid_from) AS at FROM partner_category_rates WHERE partner_id = $1 AND valid_from > now()', [partnerId]);
  return rows[0]?.at ?? null;
}

/** Every version of a partner's category rates, oldest first (the changes as made). */
export async function categoryRateHistory(manager: EntityManager, partnerId: string): Promise<CategoryRate[]> {
  const { rows } = await sql<Row>(
    manager,
    `SELECT id, partner_id, category, extra_percent::text, valid_from FROM partner_category_rates WHERE partner_id = $1 ORDER BY valid_from, category LIMIT 1000`,
    [partnerId],
  );
  return rows.map(toRate);
}
