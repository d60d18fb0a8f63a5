import { type DataSource, type EntityManager } from 'typeorm';
import { badInput, forbidden, isAdmin, notFound, sql, validate, type Viewer } from '../../../shared/src';
import { type DonationEntity } from '../persistence/charity.entity';
import { type DonationsPartnersClient } from '../clients/partners.client';
import { type ReceiptsService } from './receipts.service';

export interface MatchCampaignRow {
  id: string;
  partner_id: string;
  charity_id: string;
  cap_points: string;
  matched: string;
  starts_at: Date;
  ends_at: Date;
}

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
    const { rowCount } = await sql(this.dataSource.manager, 'SELECT 1 FROM charities WHERE id = $1', [charityId]);
    if (rowCount === 0) throw notFound('Charity');
    await this.partners.requireActivePartner(viewer, partnerId, requestId);
    const { rows } = await sql<MatchCampaignRow>(
      this.dataSource.manager,
      `INSERT INTO match_campaigns (partner_id, charity_id, cap_points, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, partner_id, charity_id, cap_points::text, matched::text, starts_at, ends_at`,
      [partnerId, charityId, cap, startsAt, endsAt],
    );
    return rows[0];
  }

  async list(viewer: Viewer, charityId?: string | null): Promise<MatchCampaignRow[]> {
    const partnerFilter = isAdmin(viewer) ? null : viewer.partnerId ?? null;
    const charityFilter = isAdmin(viewer) || viewer.partnerId ? (charityId ? validate.uuid('charityId', charityId) : null) : (viewer.charityId ?? null);
    if (!isAdmin(viewer) && !viewer.partnerId && !viewer.charityId) throw forbidden('Requires admin, a partner or a charity token');
    const { rows } = await sql<MatchCampaignRow>(
      this.dataSource.manager,
      `SELECT id, partner_id, charity_id, cap_points::text, matched::text, starts_at, ends_at FROM match_campaigns
        WHERE ($1::uuid IS NULL OR partner_id = $1) AND ($2::uuid IS NULL OR charity_id = $2) ORDER BY created_at DESC LIMIT 100`,
      [partnerFilter, charityFilter],
    );
    return rows;
  }

  /** Inside the confirming transaction: matches the donation from running campaigns, oldest first, within caps. */
  async matchDonation(manager: EntityManager, donation: DonationEntity): Promise<void> {
    const { rows } = await sql<MatchCampaignRow>(
      manager,
      `SELECT id, partner_id, charity_id, cap_points::text, matched::text, starts_at, ends_at FROM match_campaigns
        WHERE charity_id = $1 AND starts_at <= now() AND ends_at > now() AND matched < cap_points ORDER BY created_at, id FOR UPDATE`,
      [donation.charityId],
    );
    const points = BigInt(donation.points);
    for (const campaign of rows) {
      const room = BigInt(campaign.cap_points) - BigInt(campaign.matched);
      const matched = points < room ? points : room;
      if (matched <= 0n) continue;
      // Same rate as the donation: value × matched / donated, rounded down.
      const value = (BigInt(donation.valueMinor) * matched) / points;
      await sql(manager, 'UPDATE match_campaigns SET matched = matched + $2 WHERE id = $1', [campaign.id, matched.toString()]);
      const { rows: inserted } = await sql<{ id: string }>(
        manager,
        `INSERT INTO matches (campaign_id, donation_id, partner_id, charity_id, points, value_minor, currency) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [campaign.id, donation.id, campaign.partner_id, donation.charityId, matched.toString(), value.toString(), donation.currency],
      );
      await this.receipts.append(manager, {
        charityId: donation.charityId,
        kind: 'MATCH',
        subjectId: inserted[0].id,
        points: matched,
        amountMinor: value,
        currency: donation.currency,
      });
    }
  }
}
