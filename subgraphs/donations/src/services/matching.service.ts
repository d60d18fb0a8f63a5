import { type DataSource, type EntityManager } from 'typeorm';
import { badInput, forbidden, isAdmin, notFound, validate, type Viewer } from '../../../../lib/src';
import { type DonationEntity } from '../persistence/charity.entity';
import { charityExists } from '../persistence/charities.repository';
import { insertMatch, insertMatchCampaign, listMatchCampaigns, lockRunningCampaigns, type MatchCampaignRow } from '../persistence/matching.repository';
import { type DonationsPartnersClient } from '../clients/partners.client';
import { type ReceiptsService } from './receipts.service';

/**
 * Matching campaigns: a partner matches members' point donations to one charity 1:1, up to a cap of
 * points, within a window. A match is written in the same transaction that confirms the donation, so
 * each confirmed donation is matched once (UNIQUE (donation_id, campaign_id)) and never a failed one;
 * the campaign row's lock keeps the cap exact under concurrency. The partner owes the charity the
 * matched points' money value at the donation's rate.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, PARTNER_SUSPENDED.
 */
export class MatchingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly receipts: ReceiptsService,
    private readonly partners: DonationsPartnersClient,
  ) {}

  async create(
    viewer: Viewer,
    input: { partnerId?: string | null; charityId: string; capPoints: number; startsAt?: string | null; endsAt: string },
    requestId: string,
  ): Promise<MatchCampaignRow> {
    let partnerId: string;
    if (isAdmin(viewer)) {
      if (!input.partnerId) throw badInput('partnerId', 'is required for the admin');
      partnerId = validate.uuid('partnerId', input.partnerId);
    } else if (viewer.partnerId && viewer.scopes.has('points:earn')) {
      if (input.partnerId && validate.uuid('partnerId', input.partnerId) !== viewer.partnerId) throw forbidden('A partner runs campaigns for itself only');
      partnerId = viewer.partnerId;
    } else {
      throw forbidden('Requires admin, or a partner token with points:earn');
    }
    const charityId = validate.uuid('charityId', input.charityId);
    const cap = validate.points('capPoints', input.capPoints, 1);
    const startsAt = input.startsAt ? validate.instant('startsAt', input.startsAt) : new Date();
    const endsAt = validate.instant('endsAt', input.endsAt);
    if (endsAt <= startsAt) throw badInput('endsAt', 'must be after startsAt');
    if (!(await charityExists(this.dataSource.manager, charityId))) throw notFound('Charity');
    await this.partners.requireActivePartner(viewer, partnerId, requestId);
    return insertMatchCampaign(this.dataSource.manager, { partnerId, charityId, capPoints: cap, startsAt, endsAt });
  }

  async list(viewer: Viewer, charityId?: string | null): Promise<MatchCampaignRow[]> {
    const partnerFilter = isAdmin(viewer) ? null : viewer.partnerId ?? null;
    const charityFilter = isAdmin(viewer) || viewer.partnerId ? (charityId ? validate.uuid('charityId', charityId) : null) : (viewer.charityId ?? null);
    if (!isAdmin(viewer) && !viewer.partnerId && !viewer.charityId) throw forbidden('Requires admin, a partner or a charity token');
    return listMatchCampaigns(this.dataSource.manager, partnerFilter, charityFilter);
  }

  /** Inside the confirming transaction: matches the donation from running campaigns, oldest first, within caps. */
  async matchDonation(manager: EntityManager, donation: DonationEntity): Promise<void> {
    const campaigns = await lockRunningCampaigns(manager, donation.charityId);
    const points = BigInt(donation.points);
    for (const campaign of campaigns) {
      const room = BigInt(campaign.cap_points) - BigInt(campaign.matched);
      const matched = points < room ? points : room;
      if (matched <= 0n) continue;
      // Same rate as the donation: value × matched / donated, rounded down.
      const value = (BigInt(donation.valueMinor) * matched) / points;
      const matchId = await insertMatch(manager, {
        campaignId: campaign.id,
        donationId: donation.id,
        partnerId: campaign.partner_id,
        charityId: donation.charityId,
        points: matched,
        valueMinor: value,
        currency: donation.currency,
      });
      await this.receipts.append(manager, {
        charityId: donation.charityId,
        kind: 'MATCH',
        subjectId: matchId,
        points: matched,
        amountMinor: value,
        currency: donation.currency,
      });
    }
  }
}
