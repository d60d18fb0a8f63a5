import { type EntityManager } from 'typeorm';
import { pageAfter, sql, type Page } from '../../../../lib/src';
import { StoreEntity } from './partner.entity';

/**
 * Partners' stores. It decides nothing: the stores service checks who manages a store and validates
 * its fields; a duplicate code surfaces as the `stores_partner_code_key` unique violation.
 */

export async function insertStore(
  manager: EntityManager,
  s: { partnerId: string; code: string; name: string; address: string | null; city: string | null; country: string },
): Promise<string> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO stores (partner_id, code, name, address, city, country) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [s.partnerId, s.code, s.name, s.address, s.city, s.country],
  );
  return rows[0].id;
}

/**
 * Changes a store's given fields: null or undefined leaves a field as it is; for the clearable ones
 * (address, city) undefined leaves it and null clears it.
 */
export async function updateStore(
  manager: EntityManager,
  id: string,
  change: { code?: string | null; name?: string | null; address?: string | null; city?: string | null; country?: string | null; active: boolean | null },
): Promise<void> {
  await sql(
    manager,
    `UPDATE stores SET code = coalesce($2, code), name = coalesce($3, name),
            address = CASE WHEN $4 THEN $5 ELSE address END, city = CASE WHEN $6 THEN $7 ELSE city END,
            country = coalesce($8, country), active = coalesce($9, active), updated_at = now()
      WHERE id = $1`,
    [
      id,
      change.code ?? null,
      change.name ?? null,
      change.address !== undefined,
      change.address ?? null,
      change.city !== undefined,
      change.city ?? null,
      change.country ?? null,
      change.active,
    ],
  );
}

/** The store's partner, its row locked until the caller's transaction ends; null when missing. */
export async function lockStorePartner(manager: EntityManager, id: string): Promise<string | null> {
  const { rows } = await sql<{ partner_id: string }>(manager, 'SELECT partner_id FROM stores WHERE id = $1 FOR UPDATE', [id]);
  return rows[0]?.partner_id ?? null;
}

export async function findStore(manager: EntityManager, id: string): Promise<StoreEntity | null> {
  return manager.getRepository(StoreEntity).findOneBy({ id });
}

/** A partner's stores oldest first (open ones only unless `includeInactive`), a page after the cursor `after`. */
export async function storePage(
  manager: EntityManager,
  partnerId: string,
  options: { includeInactive: boolean; first: number; after?: string | null },
): Promise<Page<StoreEntity>> {
  return pageAfter(manager.getRepository(StoreEntity), {
    table: 'stores',
    timeProperty: 'createdAt',
    timeColumn: 'created_at',
    first: options.first,
    after: options.after,
    filter: { where: `r.partner_id = :partnerId${options.includeInactive ? '' : ' AND r.active'}`, params: { partnerId } },
  });
}
