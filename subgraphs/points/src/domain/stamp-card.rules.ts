import { type Award } from './award.rules';
import { categoryKey, type PurchaseLine } from './basket.rules';
import { type OfferFacts } from './offer.rules';

/** A partner's stamp card and a member's progress on it (see migration 1739330000000-stamp-cards). */
export interface StampCard {
  id: string;
  partnerId: string;
  name: string;
  stampsRequired: number;
  /** A purchase earns stamps only from this amount (minor units); null: any amount. */
  minAmountMinor: bigint | null;
  /** Only lines of this category (lower case) or this SKU earn stamps; both null: any purchase. */
  category: string | null;
  sku: string | null;
  /** One stamp per unit bought (of matching lines) instead of one per purchase. */
  perQuantity: boolean;
  /** The reward of a full card: points (paid by the partner), or (null) the offer `rewardOffer`. */
  rewardPoints: bigint | null;
  /** The partner's own earn offer a full card activates for the member, as it was when the card was made; null: points. */
  rewardOffer: OfferReward | null;
}

/** An offer a stamp card rewards with, kept as the card was made (an activation is made from it). */
export interface OfferReward {
  offerId: string;
  kind: 'MULTIPLIER' | 'BONUS_POINTS';
  multiplierMilli: bigint | null;
  bonusPoints: bigint | null;
  minTier: string | null;
  validFrom: Date;
  validTo: Date | null;
  /** How many earns one activation applies to (the offer's uses per member). */
  uses: number;
}

export interface StampProgress {
  stamps: number;
  filled: number;
}

/**
 * What an earn does to one card: stamps collected, cards filled (each rewarded once), the progress after,
 * and for a card rewarding an offer how many activations of it the member gets (one per card filled).
 */
export interface StampOutcome {
  cardId: string;
  stamps: number;
  filled: number;
  after: StampProgress;
  offerGrants: number;
}

/**
 * Why an offer cannot be a card's reward; null when it can: it must be the card's partner's own, published,
 * an earn offer (an activation adds to an earn; a POINTS_PRICE offer is redeemed, not activated), not ended,
 * and last as long as the card (an open-ended card needs an open-ended offer).
 */
export function rewardOfferProblem(offer: OfferFacts | null, partnerId: string, cardEndsAt: Date | null, now: Date): string | null {
  if (!offer || !offer.active) return 'the offer is unknown or retired';
  if (offer.partnerId !== partnerId) return "the offer is another partner's";
  if (offer.kind === 'POINTS_PRICE') return 'a POINTS_PRICE offer is redeemed, not activated';
  if (offer.validTo && offer.validTo <= now) return 'the offer has ended';
  if (offer.validTo && (cardEndsAt === null || cardEndsAt > offer.validTo)) return 'the offer ends before the card does';
  return null;
}

/** Stamps a purchase earns on a card: 0 when it does not qualify. */
export function stampsFor(card: StampCard, purchaseMinor: bigint, lines: readonly PurchaseLine[] | null): number {
  if (card.minAmountMinor !== null && purchaseMinor < card.minAmountMinor) return 0;
  const filtered = card.category !== null || card.sku !== null;
  if (!filtered) return card.perQuantity && lines ? lines.reduce((n, l) => n + l.quantity, 0) : 1;
  const matching = (lines ?? []).filter((l) => (card.sku !== null ? l.sku === card.sku : l.category !== null && categoryKey(l.category) === card.category));
  if (matching.length === 0) return 0;
  return card.perQuantity ? matching.reduce((n, l) => n + l.quantity, 0) : 1;
}

/**
 * Stamps collected at an earn, and the STAMP_CARD awards of the cards they fill: each full card rewards
 * its points once (paid by the card's partner) and starts a new one; stamps past a full card carry over.
 * A card whose reward is an offer gives no points: each full card activates the offer for the member once
 * (`offerGrants`), usable from the next earn like an activation the member made, within the offer's window.
 */
export function collectStamps(
  cards: readonly (StampCard & { progress: StampProgress })[],
  purchaseMinor: bigint,
  lines: readonly PurchaseLine[] | null,
): { outcomes: StampOutcome[]; awards: Award[] } {
  const outcomes: StampOutcome[] = [];
  const awards: Award[] = [];
  for (const card of cards) {
    const stamps = stampsFor(card, purchaseMinor, lines);
    if (stamps === 0) continue;
    const total = card.progress.stamps + stamps;
    const filled = Math.floor(total / card.stampsRequired);
    const offerGrants = card.rewardOffer ? filled : 0;
    outcomes.push({ cardId: card.id, stamps, filled, after: { stamps: total - filled * card.stampsRequired, filled: card.progress.filled + filled }, offerGrants });
    if (filled > 0 && card.rewardPoints !== null) awards.push({ kind: 'STAMP_CARD', points: BigInt(filled) * card.rewardPoints, fundedBy: card.partnerId, ruleId: card.id });
  }
  return { outcomes, awards };
}

/**
 * A refund takes an earn's stamps back. The cards counted as filled drop to what the stamps left still
 * fill; rewards for cards no longer filled come back: those of the refunded earn itself return with its
 * points, any others (`clawbackFills`, given by a later earn) are clawed back. A card left holding as
 * many stamps as it needs is rewarded at its next stamp. `takenBack` counts every reward that comes back
 * (the refunded earn's own and the others): for a card rewarding an offer, that many of the activations
 * its fills gave are taken back (see takeBackOfferRewards).
 */
export function returnStamps(
  card: { stampsRequired: number },
  progress: StampProgress,
  event: { stamps: number; filled: number },
): { after: StampProgress; clawbackFills: number; takenBack: number } {
  const collected = progress.filled * card.stampsRequired + progress.stamps - event.stamps;
  const stillFilled = Math.max(0, Math.floor(collected / card.stampsRequired));
  const lost = progress.filled - stillFilled;
  const clawbackFills = Math.max(0, lost - event.filled);
  const takenBack = Math.max(lost, event.filled);
  const filled = progress.filled - takenBack;
  return { after: { stamps: Math.max(0, collected - filled * card.stampsRequired), filled }, clawbackFills, takenBack };
}

/** One activation a stamp card's fill gave, as a refund finds it. */
export interface GrantedActivation {
  id: string;
  /** Whether the refunded earn's own fill gave it. */
  grantedByRefunded: boolean;
  activatedAt: Date;
  /** Points its uses gave at earns not since refunded. */
  pointsGiven: bigint;
}

/**
 * Which offer rewards a refund takes back, and what it costs the member: `count` of the card's granted
 * activations, first those the refunded earn's own fill gave, then the newest. Each is voided (it applies
 * to no earn from now on); one already used also owes back the points its uses gave, as a clawback (as a
 * points reward given by a later earn is), since the purchase that earned it no longer counts.
 */
export function takeBackOfferRewards(granted: readonly GrantedActivation[], count: number): { voided: string[]; clawback: bigint } {
  const chosen = [...granted]
    .sort((a, b) => Number(b.grantedByRefunded) - Number(a.grantedByRefunded) || b.activatedAt.getTime() - a.activatedAt.getTime() || (a.id < b.id ? 1 : -1))
    .slice(0, Math.max(0, count));
  return { voided: chosen.map((g) => g.id), clawback: chosen.reduce((n, g) => n + g.pointsGiven, 0n) };
}
