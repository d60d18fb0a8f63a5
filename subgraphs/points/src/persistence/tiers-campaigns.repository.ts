import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type Campaign } from '../domain/campaign.rules';
import { type OfferActivation } from '../domain/offer.rules';
import { type Tier, type TierOverride, type TierRecord } from '../domain/tier.rules';
import { fromTierOverrideJson, fromTierRecordJson, TIER_OVERRIDE_JSON, TIER_RECORD_JSON, type TierOverrideJson, type TierRecordJson } from './tier-status.repository';
import { fromOpenActivationJson, OPEN_ACTIVATIONS_JSON, type OpenActivationJson } from './offer-activations.repository';
import { fromOpenCardJson, OPEN_CARDS_JSON, type OpenCardJson } from './stamp-cards.repository';
import { type StampCard, type StampProgress } from '../domain/stamp-card.rules';
import { type MembershipPerks } from '../domain/membership.rules';
import { ACTIVE_PERKS_JSON, fromPerksJson, type PerksJson } from './memberships.repository';
import { EARN_FUNDING_LOCK_SQL, type FundingMode } from './funding.repository';

/**
 * The programme's stored rules: the tier table (tiers) and earn campaigns (campaigns), and the qualifying
 * points that place a member in a tier. ProgrammeService decides who may change them and validates them.
 */

/** What prices an earn: the tier table, the partner's running campaigns, the member's qualifying points. */
export interface PricingContext {
  tiers: Tier[];
  campaigns: Campaign[];
  qualifying: bigint;
  /** The member's activated offers at this partner that an earn may apply now. */
  offers: OfferActivation[];
  /** The partner's stamp cards in force now, with the member's progress. */
  stampCards: (StampCard & { progress: StampProgress })[];
  /** Tier retention and the admin's override (tier-status.repository): the earn prices with the effective tier. */
  tierRecord: TierRecord | null;
  tierOverride: TierOverride | null;
  /** The member's active paid membership's perks; null: none. */
  membership: MembershipPerks | null;
}

/**
 * Qualifying points: what places a member in a tier, the member's unreversed earns of the current calendar
 * month (UTC) and the 11 before it, kept as a running figure per month (migration 1739340000000): at most
 * 12 rows, whatever the member's history. The earns of members merged into this one count too
 * (member_closings, disposition MERGE).
 */
const qualifyingPointsSql = (memberParam: string): string =>
  `SELECT coalesce(sum(q.points), 0)::text FROM qualifying_points q
    WHERE q.member_id = ANY (ARRAY(SELECT ${memberParam}::uuid UNION ALL SELECT member_id FROM member_closings WHERE target_member_id = ${memberParam}::uuid))
      AND q.month > (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date`;

/** A reversed earn no longer counts: its points leave the bucket of the month it was made in. */
export async function removeQualifying(manager: EntityManager, memberId: string, earnedAt: Date, points: bigint): Promise<void> {
  if (points <= 0n) return;
  await sql(
    manager,
    `UPDATE qualifying_points SET points = greatest(points - $3, 0) WHERE member_id = $1 AND month = date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC')::date`,
    [memberId, earnedAt, points.toString()],
  );
}

/** The member's qualifying points (see qualifyingPointsSql). */
export async function qualifyingPoints(manager: EntityManager, memberId: string): Promise<bigint> {
  const { rows } = await sql<{ total: string }>(manager, `SELECT (${qualifyingPointsSql('$1')}) AS total`, [memberId]);
  return BigInt(rows[0].total);
}

/** The tier table, lowest threshold first. */
export async function readTiers(manager: EntityManager): Promise<Tier[]> {
  const { rows } = await sql<{ name: string; threshold: string; multiplier_milli: number }>(
    manager,
    'SELECT name, threshold, multiplier_milli FROM tiers ORDER BY threshold',
  );
  return rows.map((r) => ({ name: r.name, threshold: BigInt(r.threshold), multiplierMilli: BigInt(r.multiplier_milli) }));
}

/** Replaces the whole tier table in the caller's transaction; readers never see a half-written table. */
export async function replaceTiers(manager: EntityManager, tiers: readonly Tier[]): Promise<void> {
  await sql(manager, 'LOCK TABLE tiers IN EXCLUSIVE MODE');
  await sql(manager, 'DELETE FROM tiers');
  for (const t of tiers) {
    await sql(manager, 'INSERT INTO tiers (name, threshold, multiplier_milli) VALUES ($1, $2, $3)', [t.name, t.threshold.toString(), t.multiplierMilli.toString()]);
  }
}

export async function insertCampaign(manager: EntityManager, c: Campaign, createdBy: string): Promise<void> {
  await sql(
    manager,
    `INSERT INTO campaigns (id, partner_id, name, multiplier_milli, bonus_points, starts_at, ends_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [c.id, c.partnerId, c.name, c.multiplierMilli.toString(), c.bonusPoints.toString(), c.startsAt, c.endsAt, createdBy],
  );
}

/** Up to 200 campaigns, latest start first: a partner's own and the coalition-wide ones, or (partnerId null) all. */
export async function listCampaigns(manager: EntityManager, partnerId: string | null): Promise<Campaign[]> {
  const { rows } = await sql<CampaignRow>(
    manager,
    `SELECT * FROM campaigns WHERE $1::uuid IS NULL OR partner_id = $1 OR partner_id IS NULL ORDER BY starts_at DESC, id LIMIT 200`,
    [partnerId],
  );
  return rows.map(toCampaign);
}

/** An earn to price (readPricingContexts): at this partner, for this member, whose account is locked. */
export interface PricingRequest {
  partnerId: string;
  memberId: string;
  memberAccountId: string;
}

/** A member-and-partner snippet's `$1` (the partner) and `$2` (the member), as columns of the earns priced. */
const perEarn = (snippet: string): string => snippet.replace(/\$1(?!\d)/g, 'j.partner_id').replace(/\$2(?!\d)/g, 'j.member_id');

/**
 * The PricingContext of each earn given, in one round trip (an earn's statements are its main cost; a batch
 * prices all its earns at once): the tiers, the campaigns in force now at the earn's partner (its own and the
 * coalition-wide ones), the member's standing, activated offers and stamp cards. The same statement takes
 * the earns' funding locks (lockFundingForEarn, for all their partners and member accounts, in partner
 * order) and answers each partner's funding mode. Read after the members' accounts are locked (a statement
 * of its own before this one): at READ COMMITTED this statement's snapshot then sees every earn of those
 * members that committed before, so offer uses and stamps are current. Answers in the order given.
 */
export async function readPricingContexts(manager: EntityManager, earns: readonly PricingRequest[]): Promise<(PricingContext & { funding: FundingMode | null })[]> {
  type Row = { name: string; threshold: string; multiplier_milli: number };
  type CampaignJson = Omit<CampaignRow, 'starts_at' | 'ends_at'> & { starts_at: string; ends_at: string };
  const { rows } = await sql<{
    tiers: Row[] | null;
    campaigns: CampaignJson[] | null;
    qualifying: string;
    offers: OpenActivationJson[] | null;
    cards: OpenCardJson[] | null;
    funding: FundingMode | null;
    tier_record: TierRecordJson;
    tier_override: TierOverrideJson;
    membership: PerksJson | null;
  }>(
    manager,
    `WITH funding AS MATERIALIZED (${EARN_FUNDING_LOCK_SQL('ANY ($1::uuid[])', 'ANY ($3::uuid[])')}),
          j AS (SELECT * FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS j (partner_id, member_id, n)),
          t AS (SELECT json_agg(json_build_object('name', name, 'threshold', threshold::text, 'multiplier_milli', multiplier_milli) ORDER BY threshold) AS tiers FROM tiers)
     SELECT (SELECT mode FROM funding WHERE partner_id = j.partner_id::text) AS funding,
            t.tiers,
            (SELECT json_agg(json_build_object('id', id, 'partner_id', partner_id, 'name', name, 'multiplier_milli', multiplier_milli,
                                               'bonus_points', bonus_points::text, 'starts_at', starts_at, 'ends_at', ends_at) ORDER BY id)
               FROM campaigns WHERE (partner_id = j.partner_id OR partner_id IS NULL) AND starts_at <= now() AND ends_at > now()) AS campaigns,
            (${qualifyingPointsSql('j.member_id')}) AS qualifying,
            ${perEarn(OPEN_ACTIVATIONS_JSON)} AS offers,
            ${perEarn(OPEN_CARDS_JSON)} AS cards,
            ${perEarn(TIER_RECORD_JSON)} AS tier_record,
            ${perEarn(TIER_OVERRIDE_JSON)} AS tier_override,
            ${perEarn(ACTIVE_PERKS_JSON)} AS membership
       FROM j CROSS JOIN t ORDER BY j.n`,
    [earns.map((e) => e.partnerId), earns.map((e) => e.memberId), earns.map((e) => e.memberAccountId)],
  );
  return rows.map((row) => ({
    funding: row.funding,
    tiers: (row.tiers ?? []).map((r) => ({ name: r.name, threshold: BigInt(r.threshold), multiplierMilli: BigInt(r.multiplier_milli) })),
    campaigns: (row.campaigns ?? []).map((c) => toCampaign({ ...c, starts_at: new Date(c.starts_at), ends_at: new Date(c.ends_at) })),
    qualifying: BigInt(row.qualifying),
    offers: (row.offers ?? []).map(fromOpenActivationJson),
    stampCards: (row.cards ?? []).map(fromOpenCardJson),
    tierRecord: fromTierRecordJson(row.tier_record),
    tierOverride: fromTierOverrideJson(row.tier_override),
    membership: fromPerksJson(row.membership),
  }));
}

type CampaignRow = { id: string; partner_id: string | null; name: string; multiplier_milli: number; bonus_points: string; starts_at: Date; ends_at: Date };

function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    partnerId: r.partner_id,
    name: r.name,
    multiplierMilli: BigInt(r.multiplier_milli),
    bonusPoints: BigInt(r.bonus_points),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
  };
}
