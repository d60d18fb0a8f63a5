import { type Award } from './award.rules';
import { MULTIPLIER_SCALE } from './tier.rules';

/** A time-boxed earn promotion: a multiplier, a fixed bonus, or both. Multiplier x 1000 as in tiers. */
export interface CampaignTerms {
  multiplierMilli: bigint;
  bonusPoints: bigint;
}

/** A campaign as run: at one partner (null: coalition-wide), in force from `startsAt` until `endsAt`. */
export interface Campaign extends CampaignTerms {
  id: string;
  partnerId: string | null;
  name: string;
  startsAt: Date;
  endsAt: Date;
}

export interface EarnBreakdown {
  /** Points from the purchase at the earn rate, rounded down. */
  base: bigint;
  /** Extra from the tier multiplier. */
  tierBonus: bigint;
  /** Extra from campaigns (multipliers and fixed bonuses). */
  campaignBonus: bigint;
  total: bigint;
}

/**
 * Total points for an earn: base x tier multiplier x each campaign multiplier, rounded down once at the
 * end, plus fixed campaign bonuses. Multipliers compound; rounding down never issues unpaid fractions.
 */
export function applyMultipliers(base: bigint, tierMilli: bigint, campaigns: readonly CampaignTerms[]): EarnBreakdown {
  const afterTier = (base * tierMilli) / MULTIPLIER_SCALE;
  let numerator = base * tierMilli;
  let denominator = MULTIPLIER_SCALE;
  for (const c of campaigns) {
    numerator *= c.multiplierMilli;
    denominator *= MULTIPLIER_SCALE;
  }
  const multiplied = numerator / denominator;
  const fixed = campaigns.reduce((sum, c) => sum + c.bonusPoints, 0n);
  const total = multiplied + fixed;
  return { base, tierBonus: afterTier - base, campaignBonus: total - afterTier, total };
}

/**
 * Each campaign's share of `campaignBonus` (see applyMultipliers): multipliers applied in the given order,
 * each share the increase it makes (rounded down at each step, so the shares add up exactly to the
 * compounded result), plus its fixed bonus. Never negative: multipliers are at least 1.
 */
export function campaignShares(base: bigint, tierMilli: bigint, campaigns: readonly CampaignTerms[]): bigint[] {
  let numerator = base * tierMilli;
  let denominator = MULTIPLIER_SCALE;
  let previous = numerator / denominator;
  return campaigns.map((c) => {
    numerator *= c.multiplierMilli;
    denominator *= MULTIPLIER_SCALE;
    const now = numerator / denominator;
    const share = now - previous + c.bonusPoints;
    previous = now;
    return share;
  });
}

/**
 * The awards of a purchase priced by applyMultipliers: the base and the tier paid by the earning partner,
 * each campaign by its own partner, or (a coalition-wide campaign) by `coalitionCampaignFunder`.
 */
export function earnAwards(
  partnerId: string,
  breakdown: EarnBreakdown,
  tierMilli: bigint,
  campaigns: readonly Campaign[],
  coalitionCampaignFunder: string | null,
): Award[] {
  const shares = campaignShares(breakdown.base, tierMilli, campaigns);
  return [
    { kind: 'BASE', points: breakdown.base, fundedBy: partnerId, ruleId: null },
    { kind: 'TIER', points: breakdown.tierBonus, fundedBy: partnerId, ruleId: null },
    ...campaigns.map((c, i): Award => ({ kind: 'CAMPAIGN', points: shares[i], fundedBy: c.partnerId ?? coalitionCampaignFunder, ruleId: c.id })),
  ];
}
