import { type Award } from './award.rules';
import { categoryKey, type PurchaseLine } from './basket.rules';

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
  rewardPoints: bigint;
}

export interface StampProgress {
  stamps: number;
  filled: number;
}

/** What an earn does to one card: stamps collected, cards filled (each rewarded once), the progress after. */
export interface StampOutcome {
  cardId: string;
  stamps: number;
  filled: number;
  after: StampProgress;
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
    outcomes.push({ cardId: card.id, stamps, filled, after: { stamps: total - filled * card.stampsRequired, filled: card.progress.filled + filled } });
    if (filled > 0) awards.push({ kind: 'STAMP_CARD', points: BigInt(filled) * card.rewardPoints, fundedBy: card.partnerId, ruleId: card.id });
  }
  return { outcomes, awards };
}

/**
 * A refund takes an earn's stamps back. The cards counted as filled drop to what the stamps left still
 * fill; rewards for cards no longer filled come back: those of the refunded earn itself return with its
 * points, any others (`clawbackFills`, given by a later earn) are clawed back. A card left holding as
 * many stamps as it needs is rewarded at its next stamp.
 */
export function returnStamps(card: { stampsRequired: number }, progress: StampProgress, event: { stamps: number; filled: number }): { after: StampProgress; clawbackFills: number } {
  const collected = progress.filled * card.stampsRequired + progress.stamps - event.stamps;
  const stillFilled = Math.max(0, Math.floor(collected / card.stampsRequired));
  const lost = progress.filled - stillFilled;
  const clawbackFills = Math.max(0, lost - event.filled);
  const filled = progress.filled - Math.max(lost, event.filled);
  return { after: { stamps: Math.max(0, collected - filled * card.stampsRequired), filled }, clawbackFills };
}
