import { type DataSource, type EntityManager } from 'typeorm';
import {
  badInput,
  callerOf,
  idempotentIfKeyed,
  notFound,
  pageAfter,
  PgCodes,
  pgCode,
  pgConstraint,
  recordAudit,
  sql,
  validate,
  type Page,
  type Viewer,
} from '../../../shared/src';
import { managedPartnerId } from './managed-partner';
import { canSeePrivate, manages, requireCatalogueManager } from '../domain/access.rules';
import { validateNewStore, validateStoreChange, type StoreFields } from '../domain/catalogue.rules';
import { StoreEntity } from '../persistence/partner.entity';

/**
 * A partner's stores: the admin or the partner itself (points:earn) creates and changes them; only they
 * see them. Another partner's store answers as missing (NOT_FOUND, or null from queries).
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class StoresService {
  constructor(private readonly dataSource: DataSource) {}

  async create(viewer: Viewer, input: StoreFields & { partnerId?: string | null; idempotencyKey?: string | null }): Promise<StoreEntity> {
    requireCatalogueManager(viewer);
    const partnerId = await managedPartnerId(this.dataSource, viewer, input.partnerId);
    const valid = validateNewStore(input);
    const { storeId } = await this.dataSource
      .transaction(async (manager) =>
        idempotentIfKeyed(manager, { caller: callerOf(viewer), operation: 'createStore', key: input.idempotencyKey, input }, async () => {
          const { rows } = await sql<{ id: string }>(
            manager,
            `INSERT INTO stores (partner_id, code, name, address, city, country) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
            [partnerId, valid.code, valid.name, valid.address, valid.city, valid.country],
          );
          await recordAudit(manager, viewer, rows[0].id);
          return { storeId: rows[0].id };
        }),
      )
      .catch(duplicateCode);
    return this.mustLoad(storeId);
  }

  /** Changes the given fields of a store; `active: false` closes it, `true` reopens it. */
  async update(viewer: Viewer, input: StoreFields & { storeId: string; active?: boolean | null }): Promise<StoreEntity> {
    requireCatalogueManager(viewer);
    const storeId = validate.uuid('storeId', input.storeId);
    const change = validateStoreChange(input);
    if (input.active === null) throw badInput('active', 'cannot be null');
    await this.dataSource
      .transaction(async (manager) => {
        await this.lockManaged(manager, viewer, storeId);
        await sql(
          manager,
          `UPDATE stores SET code = coalesce($2, code), name = coalesce($3, name),
                  address = CASE WHEN $4 THEN $5 ELSE address END, city = CASE WHEN $6 THEN $7 ELSE city END,
                  country = coalesce($8, country), active = coalesce($9, active), updated_at = now()
            WHERE id = $1`,
          [
            storeId,
            change.code ?? null,
            change.name ?? null,
            change.address !== undefined,
            change.address ?? null,
            change.city !== undefined,
            change.city ?? null,
            change.country ?? null,
            input.active ?? null,
          ],
        );
        await recordAudit(manager, viewer, storeId);
      })
      .catch(duplicateCode);
    return this.mustLoad(storeId);
  }

  /** A store the viewer may see (its partner's or the admin's), else null. */
  async byId(viewer: Viewer, id: string): Promise<StoreEntity | null> {
    const store = await this.dataSource.getRepository(StoreEntity).findOneBy({ id: validate.uuid('id', id) });
    return store && canSeePrivate(viewer, store.partnerId) ? store : null;
  }

  /** A partner's stores, oldest first; null unless the viewer is that partner or the admin. */
  async ofPartner(viewer: Viewer, partnerId: string, options: { includeInactive: boolean; first: number; after?: string | null }): Promise<Page<StoreEntity> | null> {
    if (!canSeePrivate(viewer, partnerId)) return null;
    return pageAfter(this.dataSource.getRepository(StoreEntity), {
      table: 'stores',
      timeProperty: 'createdAt',
      timeColumn: 'created_at',
      first: options.first,
      after: options.after,
      filter: { where: `r.partner_id = :partnerId${options.includeInactive ? '' : ' AND r.active'}`, params: { partnerId } },
    });
  }

  private async lockManaged(manager: EntityManager, viewer: Viewer, storeId: string): Promise<void> {
    const { rows } = await sql<{ partner_id: string }>(manager, 'SELECT partner_id FROM stores WHERE id = $1 FOR UPDATE', [storeId]);
    if (!rows[0] || !manages(viewer, rows[0].partner_id)) throw notFound('Store');
  }

  private async mustLoad(id: string): Promise<StoreEntity> {
    const store = await this.dataSource.getRepository(StoreEntity).findOneBy({ id });
    if (!store) throw notFound('Store');
    return store;
  }
}

function duplicateCode(error: unknown): never {
  if (pgCode(error) === PgCodes.uniqueViolation && pgConstraint(error) === 'stores_partner_code_key') {
    throw badInput('code', 'another store of this partner has this code');
  }
  throw error;
}
