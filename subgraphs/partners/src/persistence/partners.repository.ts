import { type EntityManager } from 'typeorm';
import { pageAfter, selectEntities, sql, type Page } from '../../../../lib/src';
import { PartnerEntity } from './partner.entity';

/**
 * Partners: their name, currency and status. It decides nothing: the partners service checks who may
 * onboard, suspend or read a partner.
 */

/** Inserts a partner; null when another has the same name (case-insensitive). */
export async function insertPartner(manager: EntityManager, p: { name: string; currency: string }): Promise<string | null> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO partners (name, name_normalized, currency) VALUES ($1, lower($1), $2)
     ON CONFLICT (name_normalized) DO NOTHING RETURNING id`,
    [p.name, p.currency],
  );
  return rows[0]?.id ?? null;
}

/** False when there is no such partner. */
export async function setPartnerStatus(manager: EntityManager, id: string, status: 'ACTIVE' | 'SUSPENDED'): Promise<boolean> {
  const { rowCount } = await sql(manager, `UPDATE partners SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
  return rowCount > 0;
}

export async function partnerExists(manager: EntityManager, id: string): Promise<boolean> {
  const { rowCount } = await sql(manager, 'SELECT 1 FROM partners WHERE id = $1', [id]);
  return rowCount > 0;
}

/** The partner's currency, its row locked until the caller's transaction ends; null when missing. */
export async function lockPartnerCurrency(manager: EntityManager, id: string): Promise<string | null> {
  const { rows } = await sql<{ currency: string }>(manager, 'SELECT currency FROM partners WHERE id = $1 FOR UPDATE', [id]);
  return rows[0]?.currency ?? null;
}

export async function findPartner(manager: EntityManager, id: string): Promise<PartnerEntity | null> {
  return manager.getRepository(PartnerEntity).findOneBy({ id });
}

/** A partner by id, in one statement; null when missing. */
export async function partnerById(manager: EntityManager, id: string): Promise<PartnerEntity | null> {
  const [partner] = await selectEntities(manager, PartnerEntity, 'id = $1', [id]);
  return partner ?? null;
}

/** Partners by id in one statement (missing ones are left out). */
export async function partnersByIds(manager: EntityManager, ids: readonly string[]): Promise<PartnerEntity[]> {
  return selectEntities(manager, PartnerEntity, 'id = ANY($1::uuid[])', [[...ids]]);
}

/** Partners oldest first, a page after the cursor `after`. */
export async function partnerPage(manager: EntityManager, first: number, after?: string | null): Promise<Page<PartnerEntity>> {
  return pageAfter(manager.getRepository(PartnerEntity), { table: 'partners', timeProperty: 'createdAt', timeColumn: 'created_at', first, after });
}
