import { type Award } from './award.rules';
import { MULTIPLIER_SCALE, type Tier } from './tier.rules';

/** A member's activation of a partner's earn offer, as kept at activation (see migration 1739320000000). */
export interface OfferActivation {
  id: string;
  offerId: string;
  partnerId: string;
  kind: 'MULTIPLIER' | 'BONUS_POINTS';
  /** MULTIPLIER: x 1000 (2000 = double points). */
  multiplierMilli: bigint | null;
  bonusPoints: bigint | null;
  minTier: string | null;
  usesLeft: number;
}

/** An offer as the partners subgraph shows it to the member activating it. */
export interface OfferFacts {
  id: string;
  partnerId: string;
  kind: 'POINTS_PRICE' | 'BONUS_POINTS' | 'MULTIPLIER';
  points: number | null;
  multiplier: string | null;
  validFrom: Date;
  validTo: Date | null;
  minTier: string | null;
  active: boolean;
  usesPerMember: number;
}

/**
 * Whether a member in `tier` reaches the offer's lowest tier (by threshold in the tier table). An offer
 * naming a tier the table does not have is for nobody: a renamed tier must not open it to everyone.
 */
export function reachesTier(tiers: readonly Tier[], tier: Tier, minTier: string | null): boolean {
  if (minTier === null) return true;
  const wanted = tiers.find((t) => t.name.toLowerCase() === minTier.toLowerCase());
  return !!wanted && tier.threshold >= wanted.threshold;
}

/** Why an offer cannot be activated now by a member in `tier`; null when it can. */
export function activationProblem(offer: OfferFacts | null, now: Date, tiers: readonly Tier[], tier: Tier): string | null {
  if (!offer || !offer.active) return 'the offer is unknown or retired';
  if (offer.kind === 'POINTS_PRICE') return 'a POINTS_PRICE offer is redeemed, not activated';
  if (offer.validTo && offer.validTo <= now) return 'the offer has ended';
  if (!reachesTier(tiers, tier, offer.minTier)) return `the offer is for members from tier ${offer.minTier}`;
  return null;
}

/**
 * The offers an earn applies: each activation with uses left, at this partner (the caller read only
 * those), whose lowest tier the member reaches, on a purchase that earns base points. MULTIPLIER adds
 * base x (multiplier - 1), rounded down; BONUS_POINTS adds its points. Paid by the offer's partner.
 */
export function offerAwards(
  activations: readonly OfferActivation[],
  base: bigint,
  tiers: readonly Tier[],
  tier: Tier,
): { awards: Award[]; used: { activationId: string; points: bigint }[] } {
  if (base <= 0n) return { awards: [], used: [] };
  const applied = activations.filter((a) => a.usesLeft > 0 && reachesTier(tiers, tier, a.minTier));
  const awards = applied.map((a): Award => ({
    kind: 'OFFER',
    points: a.kind === 'MULTIPLIER' ? (base * ((a.multiplierMilli ?? MULTIPLIER_SCALE) - MULTIPLIER_SCALE)) / MULTIPLIER_SCALE : (a.bonusPoints ?? 0n),
    fundedBy: a.partnerId,
    ruleId: a.offerId,
  }));
  return { awards, used: applied.map((a, i) => ({ activationId: a.id, points: awards[i].points })) };
}

/**
 * Why a POINTS_PRICE offer cannot be redeemed now at `partnerId` by a member in `tier`; null when it can:
 * the partner's own offer, published, a POINTS_PRICE one, inside its window, and the member reaching its
 * lowest tier. (The points asked must be its price: the caller checks that, naming the field.)
 */
export function pointsPriceProblem(offer: OfferFacts | null, partnerId: string, now: Date, tiers: readonly Tier[], tier: Tier): string | null {
  if (!offer || !offer.active || offer.partnerId !== partnerId) return 'the offer is unknown or retired';
  if (offer.kind !== 'POINTS_PRICE' || offer.points === null) return 'only a POINTS_PRICE offer is redeemed';
  if (offer.validFrom > now) return 'the offer has not started';
  if (offer.validTo && offer.validTo <= now) return 'the offer has ended';
  if (!reachesTier(tiers, tier, offer.minTier)) return `the offer is for members from tier ${offer.minTier}`;
  return null;
}
