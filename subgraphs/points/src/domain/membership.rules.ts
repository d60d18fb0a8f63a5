import { type Award } from './award.rules';
import { MULTIPLIER_SCALE, type EffectiveTier, type Tier } from './tier.rules';

/**
 * Paid membership, pure: what an active membership's perks do to an earn and to a member's tier, and
 * how a membership reads (status). Who pays: the coalition sells the membership and keeps its fee, so
 * every point a perk adds is the coalition's (its marketing budget, award MEMBERSHIP with fundedBy null);
 * a partner never pays for a plan it did not price.
 */

/** The perks of the member's active membership that an earn applies. */
export interface MembershipPerks {
  planId: string;
  /** x 1000, at least 1000 (1500 = base points x 1.5). */
  multiplierMilli: bigint;
  /** The lowest tier the member holds while the membership is active; null: none. */
  tierFloor: string | null;
}

/**
 * The member's tier with a floor: the earned tier, or the floor's tier when that is higher. A floor the
 * tier table no longer has (renamed or removed) lifts nobody: a changed table must not hand out tiers.
 */
export function tierWithFloor(tiers: readonly Tier[], earned: Tier, floor: string | null): Tier {
  if (floor === null) return earned;
  const floorTier = tiers.find((t) => t.name.toLowerCase() === floor.toLowerCase());
  return floorTier && floorTier.threshold > earned.threshold ? floorTier : earned;
}

/**
 * The tier a member holds with a paid membership's tier floor: the effective tier (qualifying points,
 * retention, an admin's override), lifted to the floor while the membership runs, kept by MEMBERSHIP until
 * the period ends (`periodEnd`). An admin's override in force is the admin's decision: no floor lifts it.
 */
export function withMembershipFloor(tiers: readonly Tier[], effective: EffectiveTier, qualifying: bigint, floor: string | null, periodEnd: Date | null): EffectiveTier {
  if (effective.keptBy === 'OVERRIDE') return effective;
  const tier = tierWithFloor(tiers, effective.tier, floor);
  if (tier === effective.tier) return effective;
  return { tier, keptBy: 'MEMBERSHIP', endsAt: periodEnd, pointsToKeep: tier.threshold > qualifying ? tier.threshold - qualifying : 0n, qualifyingTier: effective.qualifyingTier };
}

/**
 * Turns a membership's perks into the earn's MEMBERSHIP award, funded by the coalition (null), and answers
 * the awards to write:
 * - the multiplier adds base x (multiplier - 1), rounded down (like an offer's multiplier, on the points the
 *   purchase earns at the earn rate);
 * - the tier floor: the earn was priced at `tier` (the floor's, when it lifted the member), so the TIER award
 *   holds the floor's bonus. The partner pays the tier the member earned (`earnedTier`); the part the floor
 *   added moves from the TIER award to the MEMBERSHIP award. Campaigns still multiply what the member earns.
 * Without perks (or nothing to add) the awards come back as they were.
 */
export function applyMembershipPerks(awards: readonly Award[], perks: MembershipPerks | null, base: bigint, earnedTier: Tier, tier: Tier): Award[] {
  if (!perks || base <= 0n) return [...awards];
  const multiplied = (base * (perks.multiplierMilli - MULTIPLIER_SCALE)) / MULTIPLIER_SCALE;
  const floorShare = tier.multiplierMilli > earnedTier.multiplierMilli ? (base * tier.multiplierMilli) / MULTIPLIER_SCALE - (base * earnedTier.multiplierMilli) / MULTIPLIER_SCALE : 0n;
  const out = awards.map((a) => (a.kind === 'TIER' && floorShare > 0n ? { ...a, points: a.points - floorShare } : a));
  const points = multiplied + floorShare;
  if (points > 0n) out.push({ kind: 'MEMBERSHIP', points, fundedBy: null, ruleId: perks.planId });
  return out;
}

export type MembershipStatus = 'ACTIVE' | 'CANCELLED' | 'EXPIRED';

/**
 * How a membership reads at `now` (the database's clock): ACTIVE until its period ends (cancelled or not:
 * a cancellation takes effect at the end), then CANCELLED if it was cancelled, else EXPIRED.
 */
export function membershipStatus(periodEnd: Date, cancelled: boolean, now: Date): MembershipStatus {
  if (periodEnd > now) return 'ACTIVE';
  return cancelled ? 'CANCELLED' : 'EXPIRED';
}

/**
 * When an offer becomes activatable for a member with `earlyAccessDays` of early access: that many days
 * before its validFrom. Its window for that member starts then too (the activation keeps it).
 */
export function earlyAccessFrom(validFrom: Date, earlyAccessDays: number): Date {
  return new Date(validFrom.getTime() - earlyAccessDays * 86_400_000);
}
