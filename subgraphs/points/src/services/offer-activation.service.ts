import { type DataSource } from 'typeorm';
import { AppError, isAdmin, isSelf, forbidden, requireMember, validate, type Viewer } from '../../../../lib/src';
import { activationProblem } from '../domain/offer.rules';
import { parseMultiplier } from './programme.service';
import { standingWithFloor } from '../domain/membership.rules';
import { activePerks } from '../persistence/memberships.repository';
import { activate, activationsOf, type ActivationRow } from '../persistence/offer-activations.repository';
import { qualifyingPoints, readTiers } from '../persistence/tiers-campaigns.repository';
import { type DirectoryClient } from '../clients/directory.client';
import { memberAccountClosed } from '../persistence/member-closings.repository';

/**
 * Members activate a partner's earn offers (MULTIPLIER, BONUS_POINTS) from the partners subgraph's
 * catalogue; the earn applies them (see offerAwards). Activating twice answers the first activation.
 * Raises: FORBIDDEN, BAD_USER_INPUT, OFFER_NOT_AVAILABLE.
 */
export class OfferActivationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
  ) {}

  async activate(viewer: Viewer, input: { offerId: string }, requestId: string): Promise<ActivationRow> {
    const memberId = requireMember(viewer);
    const offerId = validate.uuid('offerId', input.offerId);
    if (await memberAccountClosed(this.dataSource.manager, memberId)) throw new AppError('MEMBER_CLOSED');
    // The member reads the catalogue as any member does: a retired or unpublished offer is not found.
    const offer = await this.directory.partners.offer(viewer, offerId, requestId);
    const manager = this.dataSource.manager;
    const [tiers, qualifying, perks] = await Promise.all([readTiers(manager), qualifyingPoints(manager, memberId), activePerks(manager, memberId)]);
    // An active paid membership's tier floor counts as the member's tier here too.
    const problem = activationProblem(offer, new Date(), tiers, standingWithFloor(tiers, qualifying, perks?.tierFloor ?? null).tier);
    if (problem || !offer || offer.kind === 'POINTS_PRICE') throw new AppError('OFFER_NOT_AVAILABLE', `Offer not available: ${problem ?? 'not an earn offer'}`);
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

  /** A member's activations: the member and the admin. */
  async activations(viewer: Viewer, memberId: string): Promise<ActivationRow[]> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden("Only the member and the admin see a member's offers");
    return activationsOf(this.dataSource.manager, memberId);
  }
}
