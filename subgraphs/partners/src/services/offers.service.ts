import { type DataSource, type EntityManager } from 'typeorm';
import {
  badInput,
  callerOf,
  idempotentIfKeyed,
  isAdmin,
  notFound,
  recordAudit,
  validate,
  type Page,
  type Viewer,
} from '../../../../lib/src';
import { requireService } from '../../../../lib/src/service-token';
import { managedPartnerId } from './managed-partner';
import { type PartnersPointsClient } from '../clients/points.client';
import { manages, requireCatalogueManager } from '../domain/access.rules';
import { validateNewOffer, validateOfferChange, type OfferFields, type OfferKindValue } from '../domain/catalogue.rules';
import { type OfferEntity } from '../persistence/partner.entity';
import {
  databaseNow,
  findOffer,
  findVisibleOffer,
  insertOffer,
  lockOffer,
  offerPage,
  retireOffer,
  updateOffer,
  type OfferVisibility,
} from '../persistence/offers.repository';

/**
 * A partner-managed offers catalogue. The admin or the partner itself (points:earn) creates, changes
 * and retires offers (retiring is final); any authenticated caller reads the published ones. The rest
 * (upcoming, expired, retired, or of a suspended partner) only the partner itself and the admin see;
 * for anyone else they answer as missing. An offer may target a segment (a personal offer): the
 * offer's partner's own segment or a coalition one, checked with the points subgraph as the caller.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class OffersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly points: PartnersPointsClient,
  ) {}

  async create(
    viewer: Viewer,
    input: OfferFields & { partnerId?: string | null; kind: OfferKindValue; segmentId?: string | null; idempotencyKey?: string | null },
    requestId: string,
  ): Promise<OfferEntity> {
    requireCatalogueManager(viewer);
    const partnerId = await managedPartnerId(this.dataSource, viewer, input.partnerId);
    const valid = validateNewOffer(input.kind, input, await this.now());
    const segmentId = input.segmentId == null ? null : await this.targetable(viewer, partnerId, input.segmentId, requestId);
    const { offerId } = await this.dataSource.transaction(async (manager) =>
      idempotentIfKeyed(manager, { caller: callerOf(viewer), operation: 'createOffer', key: input.idempotencyKey, input }, async () => {
        const id = await insertOffer(manager, { partnerId, kind: input.kind, ...valid, segmentId });
        await recordAudit(manager, viewer, id);
        return { offerId: id };
      }),
    );
    return this.mustLoad(offerId);
  }

  /** Changes the given fields; the kind stays (retire the offer and create another to change it). */
  async update(viewer: Viewer, input: OfferFields & { offerId: string; segmentId?: string | null }, requestId: string): Promise<OfferEntity> {
    requireCatalogueManager(viewer);
    const offerId = validate.uuid('offerId', input.offerId);
    // The segment is checked with the points subgraph before the offer is locked (no call under a lock).
    let segmentId: string | null | undefined;
    if (input.segmentId != null) {
      const current = await findOffer(this.dataSource.manager, offerId);
      if (!current || !manages(viewer, current.partnerId)) throw notFound('Offer');
      segmentId = await this.targetable(viewer, current.partnerId, input.segmentId, requestId);
    } else if (input.segmentId === null) segmentId = null;
    await this.dataSource.transaction(async (manager) => {
      const offer = await this.lockManaged(manager, viewer, offerId);
      if (!offer.active) throw badInput('offerId', 'is retired and cannot change');
      const change = validateOfferChange(offer.kind, input, offer, await this.now(manager));
      await updateOffer(manager, offerId, { ...change, segmentId });
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
      await retireOffer(manager, offerId);
      await recordAudit(manager, viewer, offerId);
    });
    return this.mustLoad(offerId);
  }

  /** An offer: published ones for anyone, the rest for its partner and the admin; else null. */
  async byId(viewer: Viewer, id: string): Promise<OfferEntity | null> {
    const offerId = validate.uuid('id', id);
    return findVisibleOffer(this.dataSource.manager, offerId, this.visibility(viewer, true));
  }

  /**
   * An offer that has not ended, published or not yet started (early access for a paid membership's
   * members): only for the points service's own credential (scope offers:preview), which decides who may
   * activate it early. Retired offers and offers of suspended partners are null, as for anyone.
   */
  async forEarlyAccess(viewer: Viewer, id: string): Promise<OfferEntity | null> {
    requireService(viewer, 'points', 'offers:preview');
    return findVisibleOffer(this.dataSource.manager, validate.uuid('id', id), { kind: 'notEnded' });
  }

  /**
   * Offers, oldest first: the published ones of every active partner (or of `partnerId`). With
   * `includeInactive`, the admin also gets unpublished offers, and a partner its own.
   */
  async list(
    viewer: Viewer,
    options: { partnerId?: string | null; includeInactive: boolean; first: number; after?: string | null },
  ): Promise<Page<OfferEntity>> {
    const visibility = this.visibility(viewer, options.includeInactive);
    const partnerId = options.partnerId == null ? null : validate.uuid('partnerId', options.partnerId);
    return offerPage(this.dataSource.manager, visibility, { partnerId, first: options.first, after: options.after });
  }

  /** With `includeInactive`, the admin sees every offer and a partner also its own; everyone else the published ones. */
  private visibility(viewer: Viewer, includeInactive: boolean): OfferVisibility {
    if (includeInactive && isAdmin(viewer)) return { kind: 'all' };
    if (includeInactive && viewer.partnerId) return { kind: 'publishedOr', partnerId: viewer.partnerId };
    return { kind: 'published' };
  }

  /**
   * The segment an offer of `partnerId` may target: the partner's own or the coalition's, as the points
   * subgraph shows it to the caller (a partner never sees another's, the admin sees all). BAD_USER_INPUT
   * on `segmentId` otherwise, whether missing or another partner's.
   */
  private async targetable(viewer: Viewer, partnerId: string, segmentId: string, requestId: string): Promise<string> {
    const id = validate.uuid('segmentId', segmentId);
    const segment = await this.points.segment(viewer, id, requestId);
    if (!segment || (segment.partnerId !== null && segment.partnerId !== partnerId)) {
      throw badInput('segmentId', "is not a segment of the offer's partner or of the coalition");
    }
    return id;
  }

  private async now(manager: EntityManager = this.dataSource.manager): Promise<Date> {
    return databaseNow(manager);
  }

  private async lockManaged(manager: EntityManager, viewer: Viewer, offerId: string): Promise<OfferEntity> {
    const offer = await lockOffer(manager, offerId);
    if (!offer || !manages(viewer, offer.partnerId)) throw notFound('Offer');
    return offer;
  }

  private async mustLoad(id: string): Promise<OfferEntity> {
    const offer = await findOffer(this.dataSource.manager, id);
    if (!offer) throw notFound('Offer');
    return offer;
  }
}
