import { type DataSource, type EntityManager } from 'typeorm';
import {
  badInput,
  callerOf,
  idempotentIfKeyed,
  notFound,
  PgCodes,
  pgCode,
  pgConstraint,
  recordAudit,
  validate,
  type Page,
  type Viewer,
} from '../../../../lib/src';
import { managedPartnerId } from './managed-partner';
import { canSeePrivate, manages, requireCatalogueManager } from '../domain/access.rules';
import { validateNewStore, validateStoreChange, type StoreFields } from '../domain/catalogue.rules';
import { type StoreEntity } from '../persistence/partner.entity';
import { findStore, insertStore, lockStorePartner, storePage, updateStore } from '../persistence/stores.repository';

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
          const id = await insertStore(manager, { partnerId, ...valid });
          await recordAudit(manager, viewer, id);
          return { storeId: id };
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
        await updateStore(manager, storeId, { ...change, active: input.active ?? null });
        await recordAudit(manager, viewer, storeId);
      })
      .catch(duplicateCode);
    return this.mustLoad(storeId);
  }

  /** A store the viewer may see (its partner's or the admin's), else null. */
  async byId(viewer: Viewer, id: string): Promise<StoreEntity | null> {
    const store = await findStore(this.dataSource.manager, validate.uuid('id', id));
    return store && canSeePrivate(viewer, store.partnerId) ? store : null;
  }

  /** A partner's stores, oldest first; null unless the viewer is that partner or the admin. */
  async ofPartner(viewer: Viewer, partnerId: string, options: { includeInactive: boolean; first: number; after?: string | null }): Promise<Page<StoreEntity> | null> {
    if (!canSeePrivate(viewer, partnerId)) return null;
    return storePage(this.dataSource.manager, partnerId, options);
  }

  private async lockManaged(manager: EntityManager, viewer: Viewer, storeId: string): Promise<void> {
    const partnerId = await lockStorePartner(manager, storeId);
    if (!partnerId || !manages(viewer, partnerId)) throw notFound('Store');
  }

  private async mustLoad(id: string): Promise<StoreEntity> {
    const store = await findStore(this.dataSource.manager, id);
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
