import { awardTotal, nonZeroAwards, type Award } from './award.rules';
import { type PurchaseLine } from './basket.rules';
import { applyMultipliers, earnAwards, type Campaign, type EarnBreakdown } from './campaign.rules';
import { categoryAwards, type CategoryRateFact } from './category.rules';
import { pointsForPurchase } from './earn.rules';
import { offerAwards, type OfferActivation } from './offer.rules';
import { applyMembershipPerks, withMembershipFloor, type MembershipPerks } from './membership.rules';
import { collectStamps, type StampCard, type StampOutcome, type StampProgress } from './stamp-card.rules';
import { effectiveTier, type Tier, type TierOverride, type TierRecord } from './tier.rules';

/**
 * The earn pipeline's decision, pure: everything an earn's rules need is read first (EarnFacts), this
 * decides every award, and the service writes the result. Rules stay here; the database keeps the
 * invariants (balanced postings, awards adding up to the transaction).
 */
export interface EarnFacts {
  partnerId: string;
  purchaseMinor: bigint;
  currencyExponent: number;
  /** The partner's earn rate x 10^6 (RATE_SCALE). */
  earnRateScaled: bigint;
  tiers: readonly Tier[];
  qualifying: bigint;
  /** Campaigns in force now at this partner: its own and the coalition-wide ones. */
  campaigns: readonly Campaign[];
  lines: readonly PurchaseLine[] | null;
  categoryRates: readonly CategoryRateFact[];
  /** The member's activated offers at this partner, open now. */
  offers: readonly OfferActivation[];
  /** The partner's stamp cards in force, with the member's progress. */
  stampCards: readonly (StampCard & { progress: StampProgress })[];
  /** Who pays coalition-wide campaigns: null for the coalition's marketing budget. */
  coalitionCampaignFunder: string | null;
  /** Tier retention and the admin's override (tier.rules effectiveTier); absent: qualifying points alone. */
  tierRecord?: TierRecord | null;
  tierOverride?: TierOverride | null;
  /** When the earn happens (retention and overrides end at an instant); absent: now. */
  now?: Date;
  /** The member's active paid membership's perks (a tier floor, a multiplier); none: no membership. */
  membership?: MembershipPerks | null;
}

export interface EarnDecision {
  tier: Tier;
  breakdown: EarnBreakdown;
  /** Non-zero awards, in order; they add up to `total`. */
  awards: Award[];
  total: bigint;
  /** Offer activations this earn used once each, with the points each gave. */
  offersUsed: { activationId: string; points: bigint }[];
  /** Stamps collected per card, and the progress after. */
  stamps: StampOutcome[];
}

export function decideEarn(f: EarnFacts): EarnDecision {
  const base = pointsForPurchase(f.purchaseMinor, f.currencyExponent, f.earnRateScaled);
  // The tier the member holds (points earned, retention, an admin's override); a paid membership's tier floor
  // lifts it for everything the tier decides (the floor's share is the coalition's: applyMembershipPerks).
  const held = effectiveTier(f.tiers, f.qualifying, f.tierRecord ?? null, f.tierOverride ?? null, f.now ?? new Date());
  const earnedTier = held.tier;
  const tier = withMembershipFloor(f.tiers, held, f.qualifying, f.membership?.tierFloor ?? null, null).tier;
  const breakdown = applyMultipliers(base, tier.multiplierMilli, f.campaigns);
  const offers = offerAwards(f.offers, base, f.tiers, tier);
  const stamps = collectStamps(f.stampCards, f.purchaseMinor, f.lines);
  const awards = nonZeroAwards(
    applyMembershipPerks(
      [
        ...earnAwards(f.partnerId, breakdown, tier.multiplierMilli, f.campaigns, f.coalitionCampaignFunder),
        ...categoryAwards(f.partnerId, f.lines, f.categoryRates, f.currencyExponent, f.earnRateScaled),
        ...offers.awards,
        ...stamps.awards,
      ],
      f.membership ?? null,
      base,
      earnedTier,
      tier,
    ),
  );
  return { tier, breakdown, awards, total: awardTotal(awards), offersUsed: offers.used, stamps: stamps.outcomes };
}
