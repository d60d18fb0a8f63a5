import { type DataSource } from 'typeorm';
import { AppError, isAdmin, isSelf, forbidden, requireMember, validate, type Viewer } from '../../../../lib/src';
import { activationProblem } from '../domain/offer.rules';
import { parseMultiplier } from './programme.service';
import { effectiveTier } from '../domain/tier.rules';
import { readTierKeepers } from '../persistence/tier-status.repository';
import { activate, activationsOf, type ActivationRow } from '../persistence/offer-activations.repository';
import { qualifyingPoints, readTiers } from '../persistence/tiers-campaigns.repository';
import { type DirectoryClient } from '../clients/directory.client';
import { memberAccountClosed } from '../persistence/member-closings.repository';
import { type SegmentService } from './segment.service';
import { type OfferFacts } from '../domain/offer.rules';

/** An offer the member can activate now, or has activated. */
export interface MemberOffer {
  offer: OfferFacts;
  /** For a segment the member is in (and consents to marketing). */
  personal: boolean;
  activated: boolean;
}

/** Why a personal offer is refused to a member outside its segment: the words of any offer not there to activate. */
const UNAVAILABLE = 'the offer is unknown or retired';

/**
 * Members activate a partner's earn offers (MULTIPLIER, BONUS_POINTS) from the partners subgraph's
 * catalogue; the earn applies them (see offerAwards). Activating twice answers the first activation.
 * A personal offer (one targeting a segment) is for members of the segment who consent to marketing;
 * to anyone else it is OFFER_NOT_AVAILABLE, in the words of an offer that is not there.
 * Raises: FORBIDDEN, BAD_USER_INPUT, OFFER_NOT_AVAILABLE, MEMBER_CLOSED.
 */
export class OfferActivationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
    private readonly segments: SegmentService,
  ) {}

  async activate(viewer: Viewer, input: { offerId: string }, requestId: string): Promise<ActivationRow> {
    const memberId = requireMember(viewer);
    const offerId = validate.uuid('offerId', input.offerId);
    if (await memberAccountClosed(this.dataSource.manager, memberId)) throw new AppError('MEMBER_CLOSED');
    // The member reads the catalogue as any member does: a retired or unpublished offer is not found.
    const offer = await this.directory.partners.offer(viewer, offerId, requestId);
    const manager = this.dataSource.manager;
    const [tiers, qualifying, keepers] = await Promise.all([readTiers(manager), qualifyingPoints(manager, memberId), readTierKeepers(manager, memberId)]);
    const problem = activationProblem(offer, new Date(), tiers, effectiveTier(tiers, qualifying, keepers.record, keepers.override, new Date()).tier);
    if (problem || !offer || offer.kind === 'POINTS_PRICE') throw new AppError('OFFER_NOT_AVAILABLE', `Offer not available: ${problem ?? 'not an earn offer'}`);
    if (offer.segmentId !== null && !(await this.segments.personalSegmentsOf(memberId, [offer.segmentId], tiers)).has(offer.segmentId)) {
      throw new AppError('OFFER_NOT_AVAILABLE', `Offer not available: ${UNAVAILABLE}`);
    }
    return activate(manager, {
      memberId,
      offerId: offer.id,
      partnerId: offer.partnerId,
      kind: offer.kind,
      multiplierMilli: offer.multiplier === null ? null : parseMultiplier('multiplier', offer.multiplier),
      bonusPoints: offer.points === null ? null : BigInt(offer.points),
      minTier: offer.minTier,
      validFrom: offer.validFrom,
      validTo: offer.validTo,
      usesAllowed: offer.usesPerMember,
    });
  }

  /**
   * The published earn offers this member can activate now (the member's tier reaches the offer's; a
   * personal offer only when the member is in its segment and consents to marketing), each with whether
   * the member activated it already. The member and the admin (who reads the catalogue as themself).
   */
  async available(viewer: Viewer, memberId: string, requestId: string): Promise<MemberOffer[]> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden("Only the member and the admin see a member's offers");
    const manager = this.dataSource.manager;
    const [catalogue, tiers, qualifying, keepers, activations] = await Promise.all([
      this.directory.partners.publishedOffers(viewer, requestId),
      readTiers(manager),
      qualifyingPoints(manager, memberId),
      readTierKeepers(manager, memberId),
      activationsOf(manager, memberId),
    ]);
    const tier = effectiveTier(tiers, qualifying, keepers.record, keepers.override, new Date()).tier;
    const now = new Date();
    const open = catalogue.filter((o) => o.kind !== 'POINTS_PRICE' && activationProblem(o, now, tiers, tier) === null);
    const personal = await this.segments.personalSegmentsOf(memberId, open.flatMap((o) => (o.segmentId ? [o.segmentId] : [])), tiers);
    const activated = new Set(activations.map((a) => a.offerId));
    return open
      .filter((o) => o.segmentId === null || personal.has(o.segmentId))
      .map((offer) => ({ offer, personal: offer.segmentId !== null, activated: activated.has(offer.id) }));
  }

  /** A member's activations: the member and the admin. */
  async activations(viewer: Viewer, memberId: string): Promise<ActivationRow[]> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden("Only the member and the admin see a member's offers");
    return activationsOf(this.dataSource.manager, memberId);
  }
}
