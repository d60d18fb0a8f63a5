import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Matching campaigns and the matches they make. It decides nothing: the matching service decides who
 * runs a campaign and how much of a donation each campaign matches.
 */

export interface MatchCampaignRow {
  id: string;
  partner_id: string;
  charity_id: string;
  cap_points: string;
  matched: string;
  starts_at: Date;
  ends_at: Date;
}

const CAMPAIGN_COLUMNS = 'id, partner_id, charity_id, cap_points::text, matched::text, starts_at, ends_at';

export async function insertMatchCampaign(
  manager: EntityManager,
  c: { partnerId: string; charityId: string; capPoints: number; startsAt: Date; endsAt: Date },
): Promise<MatchCampaignRow> {
  const { rows } = await sql<MatchCampaignRow>(
    manager,
    `INSERT INTO match_campaigns (partner_id, charity_id, cap_points, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${CAMPAIGN_COLUMNS}`,
    [c.partnerId, c.charityId, c.capPoints, c.startsAt, c.endsAt],
  );
  return rows[0];
}

/** The newest 100 campaigns, of one partner and/or one charity (null: any). */
export async function listMatchCampaigns(manager: EntityManager, partnerId: string | null, charityId: string | null): Promise<MatchCampaignRow[]> {
  const { rows } = await sql<MatchCampaignRow>(
    manager,
    `SELECT ${CAMPAIGN_COLUMNS} FROM match_campaigns
      WHERE ($1::uuid IS NULL OR partner_id = $1) AND ($2::uuid IS NULL OR charity_id = $2) ORDER BY created_at DESC LIMIT 100`,
    [partnerId, charityId],
  );
  return rows;
}

/**
 * The charity's campaigns running now (database time) with room under their cap, oldest first, each
 * locked until the caller's transaction ends: the lock keeps the cap exact under concurrent donations.
 */
export async function lockRunningCampaigns(manager: EntityManager, charityId: string): Promise<MatchCampaignRow[]> {
  const { rows } = await sql<MatchCampaignRow>(
    manager,
    `SELECT ${CAMPAIGN_COLUMNS} FROM match_campaigns
      WHERE charity_id = $1 AND starts_at <= now() AND ends_at > now() AND matched < cap_points ORDER BY created_at, id FOR UPDATE`,
    [charityId],
  );
  return rows;
}

/** Writes one match of a donation by a campaign and counts it against the campaign's cap; answers the match id. */
export async function insertMatch(
  manager: EntityManager,
  m: { campaignId: string; donationId: string; partnerId: string; charityId: string; points: bigint; valueMinor: bigint; currency: string },
): Promise<string> {
  await sql(manager, 'UPDATE match_campaigns SET matched = matched + $2 WHERE id = $1', [m.campaignId, m.points.toString()]);
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO matches (campaign_id, donation_id, partner_id, charity_id, points, value_minor, currency) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [m.campaignId, m.donationId, m.partnerId, m.charityId, m.points.toString(), m.valueMinor.toString(), m.currency],
  );
  return rows[0].id;
}
