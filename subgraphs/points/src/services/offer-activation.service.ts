import { type DataSource } from 'typeorm';
import { AppError, isAdmin, isSelf, forbidden, requireMember, validate, type Viewer } from '../../../../lib/src';
import { activationProblem } from '../domain/offer.rules';
import { parseMultiplier } from './programme.service';
import { effectiveTier } from '../domain/tier.rules';
import { readTierKeepers } from '../persistence/tier-status.repository';
import { earlyAccessFrom, withMembershipFloor } from '../domain/membership.rules';
import { type OfferPreviewClient } from '../clients/offer-preview.client';
import { activePerks } from '../persistence/memberships.repository';
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
    /** Reads offers before their window opens, for a paid membership's early access (none: no early access). */
    private readonly preview?: OfferPreviewClient,
  ) {}

  async activate(viewer: Viewer, input: { offerId: string }, requestId: string): Promise<ActivationRow> {
    const memberId = requireMember(viewer);
    const offerId = validate.uuid('offerId', input.offerId);
    if (await memberAccountClosed(this.dataSource.manager, memberId)) throw new AppError('MEMBER_CLOSED');
    // The member reads the catalogue as any member does: a retired or unpublished offer is not found.
    let offer = await this.directory.partners.offer(viewer, offerId, requestId);
    const manager = this.dataSource.manager;
    const [tiers, qualifying, keepers, perks] = await Promise.all([readTiers(manager), qualifyingPoints(manager, memberId), readTierKeepers(manager, memberId), activePerks(manager, memberId)]);
    // Early access (a paid membership's perk): an offer not yet started can be activated that many days
    // before its validFrom, and the activation's window opens then: the member's earns apply it from now.
    let validFrom = offer?.validFrom ?? null;
    if (!offer && perks && perks.earlyAccessDays > 0 && this.preview) {
      const upcoming = await this.preview.offer(offerId, requestId);
      const opensAt = upcoming ? earlyAccessFrom(upcoming.validFrom, perks.earlyAccessDays) : null;
      if (upcoming && opensAt && opensAt <= new Date()) {
        offer = upcoming;
        validFrom = opensAt < upcoming.validFrom ? opensAt : upcoming.validFrom;
      }
    }
    // The tier as the earn prices it: retention, an override, and an active paid membership's tier floor.
    const held = effectiveTier(tiers, qualifying, keepers.record, keepers.override, new Date());
    const problem = activationProblem(offer, new Date(), tiers, withMembershipFloor(tiers, held, qualifying, perks?.tierFloor ?? null, null).tier);
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
      validFrom: validFrom ?? offer.validFrom,
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
    const [catalogue, tiers, qualifying, keepers, perks, activations] = await Promise.all([
      this.directory.partners.publishedOffers(viewer, requestId),
      readTiers(manager),
      qualifyingPoints(manager, memberId),
      readTierKeepers(manager, memberId),
      activePerks(manager, memberId),
      activationsOf(manager, memberId),
    ]);
    // The tier activation checks: retention, an override, and an active paid membership's tier floor.
    const held = effectiveTier(tiers, qualifying, keepers.record, keepers.override, new Date());
    const tier = withMembershipFloor(tiers, held, qualifying, perks?.tierFloor ?? null, null).tier;
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
