import { type DataSource, type EntityManager } from 'typeorm';
import {
  badInput,
  callerOf,
  idempotentIfKeyed,
  isAdmin,
  notFound,
  pageAfter,
  recordAudit,
  sql,
  validate,
  type Page,
  type Viewer,
} from '../../../shared/src';
import { managedPartnerId } from './managed-partner';
import { manages, requireCatalogueManager } from '../domain/access.rules';
import { validateNewOffer, validateOfferChange, type OfferFields, type OfferKindValue } from '../domain/catalogue.rules';
import { OfferEntity } from '../persistence/partner.entity';

/** Published: not retired, inside its validity window now, and its partner is active. */
const PUBLISHED = `r.active AND r.valid_from <= now() AND (r.valid_to IS NULL OR r.valid_to > now())
  AND r.partner_id IN (SELECT p.id FROM partners p WHERE p.status = 'ACTIVE')`;

/**
 * A partner-managed offers catalogue. The admin or the partner itself (points:earn) creates, changes
 * and retires offers (retiring is final); any authenticated caller reads the published ones. The rest
 * (upcoming, expired, retired, or of a suspended partner) only the partner itself and the admin see;
 * for anyone else they answer as missing.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class OffersService {
  constructor(private readonly dataSource: DataSource) {}

  async create(
    viewer: Viewer,
    input: OfferFields & { partnerId?: string | null; kind: OfferKindValue; idempotencyKey?: string | null },
  ): Promise<OfferEntity> {
    requireCatalogueManager(viewer);
    const partnerId = await managedPartnerId(this.dataSource, viewer, input.partnerId);
    const valid = validateNewOffer(input.kind, input, await this.now());
    const { offerId } = await this.dataSource.transaction(async (manager) =>
      idempotentIfKeyed(manager, { caller: callerOf(viewer), operation: 'createOffer', key: input.idempotencyKey, input }, async () => {
        const { rows } = await sql<{ id: string }>(
          manager,
          `INSERT INTO offers (partner_id, title, description, kind, points, multiplier, valid_from, valid_to, min_tier)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          [partnerId, valid.title, valid.description, input.kind, valid.points, valid.multiplier, valid.validFrom, valid.validTo, valid.minTier],
        );
        await recordAudit(manager, viewer, rows[0].id);
        return { offerId: rows[0].id };
      }),
    );
    return this.mustLoad(offerId);
  }

  /** Changes the given fields; the kind stays (retire the offer and create another to change it). */
  async update(viewer: Viewer, input: OfferFields & { offerId: string }): Promise<OfferEntity> {
    requireCatalogueManager(viewer);
    const offerId = validate.uuid('offerId', input.offerId);
    await this.dataSource.transaction(async (manager) => {
      const offer = await this.lockManaged(manager, viewer, offerId);
      if (!offer.active) throw badInput('offerId', 'is retired and cannot change');
      const change = validateOfferChange(offer.kind, input, offer, await this.now(manager));
      await sql(
        manager,
        `UPDATE offers SET title = coalesce($2, title),
                description = CASE WHEN $3 THEN $4 ELSE description END,
                points = coalesce($5, points), multiplier = coalesce($6, multiplier),
                valid_from = coalesce($7, valid_from),
                valid_to = CASE WHEN $8 THEN $9 ELSE valid_to END,
                min_tier = CASE WHEN $10 THEN $11 ELSE min_tier END,
                updated_at = now()
          WHERE id = $1`,
        [
          offerId,
          change.title ?? null,
          change.description !== undefined,
          change.description ?? null,
          change.points ?? null,
          change.multiplier ?? null,
          change.validFrom ?? null,
          change.validTo !== undefined,
          change.validTo ?? null,
          change.minTier !== undefined,
          change.minTier ?? null,
        ],
      );
      await recordAudit(manager, viewer, offerId);
    });
    return this.mustLoad(offerId);
  }

  /** Takes an offer out of the catalogue for good. Retiring a retired offer changes nothing. */
  async retire(viewer: Viewer, input: { offerId: string }): Promise<OfferEntity> {
    requireCatalogueManager(viewer);
    const offerId = validate.uuid('offerId', input.offerId);
    await this.dataSource.transaction(async (manager) => {
      await this.lockManaged(manager, viewer, offerId);
      await sql(manager, 'UPDATE offers SET active = false, retired_at = now(), updated_at = now() WHERE id = $1 AND active', [offerId]);
      await recordAudit(manager, viewer, offerId);
    });
    return this.mustLoad(offerId);
  }

  /** An offer: published ones for anyone, the rest for its partner and the admin; else null. */
  async byId(viewer: Viewer, id: string): Promise<OfferEntity | null> {
    const offerId = validate.uuid('id', id);
    const query = this.dataSource.getRepository(OfferEntity).createQueryBuilder('r').where('r.id = :offerId', { offerId });
    const visible = this.visibility(viewer, true);
    query.andWhere(`(${visible.where})`, visible.params);
    return query.getOne();
  }

  /**
   * Offers, oldest first: the published ones of every active partner (or of `partnerId`). With
   * `includeInactive`, the admin also gets unpublished offers, and a partner its own.
   */
  async list(
    viewer: Viewer,
    options: { partnerId?: string | null; includeInactive: boolean; first: number; after?: string | null },
  ): Promise<Page<OfferEntity>> {
    const visible = this.visibility(viewer, options.includeInactive);
    const partnerId = options.partnerId == null ? null : validate.uuid('partnerId', options.partnerId);
    return pageAfter(this.dataSource.getRepository(OfferEntity), {
      table: 'offers',
      timeProperty: 'createdAt',
      timeColumn: 'created_at',
      first: options.first,
      after: options.after,
      filter: {
        where: `(${visible.where})${partnerId ? ' AND r.partner_id = :partnerId' : ''}`,
        params: { ...visible.params, ...(partnerId ? { partnerId } : {}) },
      },
    });
  }

  private visibility(viewer: Viewer, includeInactive: boolean): { where: string; params: Record<string, unknown> } {
    if (includeInactive && isAdmin(viewer)) return { where: 'true', params: {} };
    if (includeInactive && viewer.partnerId) return { where: `${PUBLISHED} OR r.partner_id = :viewerPartner`, params: { viewerPartner: viewer.partnerId } };
    return { where: PUBLISHED, params: {} };
  }

  private async now(manager: EntityManager = this.dataSource.manager): Promise<Date> {
    const { rows } = await sql<{ now: Date }>(manager, 'SELECT now() AS now');
    return rows[0].now;
  }

  private async lockManaged(manager: EntityManager, viewer: Viewer, offerId: string): Promise<OfferEntity> {
    const offer = await manager.getRepository(OfferEntity).findOne({ where: { id: offerId }, lock: { mode: 'pessimistic_write' } });
    if (!offer || !manages(viewer, offer.partnerId)) throw notFound('Offer');
    return offer;
  }

  private async mustLoad(id: string): Promise<OfferEntity> {
    const offer = await this.dataSource.getRepository(OfferEntity).findOneBy({ id });
    if (!offer) throw notFound('Offer');
    return offer;
  }
}
