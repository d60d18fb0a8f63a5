import { describe, expect, it } from 'vitest';
import { campaignShares } from '../domain/campaign.rules';
import { decideEarn, type EarnFacts } from '../domain/earn-decision.rules';
import { collectStamps, returnStamps, rewardOfferProblem, stampsFor, takeBackOfferRewards, type StampCard } from '../domain/stamp-card.rules';
import { offerAwards, reachesTier, type OfferActivation, type OfferFacts } from '../domain/offer.rules';
import { categoryAwards } from '../domain/category.rules';

const TIERS = [
  { name: 'Bronze', threshold: 0n, multiplierMilli: 1000n },
  { name: 'Silver', threshold: 5000n, multiplierMilli: 1250n },
];
const BRONZE = TIERS[0];
const SILVER = TIERS[1];
const line = (sku: string, category: string | null, quantity: number, amountMinor: bigint) => ({ sku, category, quantity, amountMinor });

function facts(overrides: Partial<EarnFacts> = {}): EarnFacts {
  return {
    partnerId: 'p',
    purchaseMinor: 10_000n,
    currencyExponent: 2,
    earnRateScaled: 1_000_000n,
    tiers: TIERS,
    qualifying: 0n,
    campaigns: [],
    lines: null,
    categoryRates: [],
    offers: [],
    stampCards: [],
    coalitionCampaignFunder: null,
    ...overrides,
  };
}

describe('the earn decision', () => {
  it('campaign shares add up exactly to the compounded bonus, whatever the rounding', () => {
    const campaigns = [
      { multiplierMilli: 1333n, bonusPoints: 0n },
      { multiplierMilli: 1777n, bonusPoints: 3n },
    ];
    for (const base of [0n, 1n, 7n, 99n, 12345n]) {
      const shares = campaignShares(base, 1250n, campaigns);
      const compounded = (base * 1250n * 1333n * 1777n) / 1_000_000_000n + 3n;
      expect(shares.reduce((a, b) => a + b, 0n)).toBe(compounded - (base * 1250n) / 1000n);
      expect(shares.every((s) => s >= 0n)).toBe(true);
    }
  });

  it('awards add up to the total; a coalition-wide campaign is paid by the coalition', () => {
    const campaign = { id: 'c', partnerId: null, name: 'x', multiplierMilli: 2000n, bonusPoints: 0n, startsAt: new Date(0), endsAt: new Date(1) };
    const d = decideEarn(facts({ qualifying: 5000n, campaigns: [campaign] }));
    expect(d.awards).toEqual([
      { kind: 'BASE', points: 100n, fundedBy: 'p', ruleId: null },
      { kind: 'TIER', points: 25n, fundedBy: 'p', ruleId: null },
      { kind: 'CAMPAIGN', points: 125n, fundedBy: null, ruleId: 'c' },
    ]);
    expect(d.total).toBe(250n);
  });

  it('category rates: percent of what the category lines earn, rounded down once per rate', () => {
    const lines = [line('A', 'Produce', 1, 3333n), line('B', 'produce', 1, 3333n), line('C', null, 1, 3334n)];
    expect(categoryAwards('p', lines, [{ id: 'r', category: 'produce', extraPercent: '15.00' }], 2, 1_000_000n)).toEqual([
      { kind: 'CATEGORY', points: 9n, fundedBy: 'p', ruleId: 'r' },
    ]);
  });

  it('offers: the member must reach the tier; a multiplier multiplies the base; nothing on a purchase earning nothing', () => {
    const double: OfferActivation = { id: 'a', offerId: 'o', partnerId: 'p', kind: 'MULTIPLIER', multiplierMilli: 2000n, bonusPoints: null, minTier: 'Silver', usesLeft: 1 };
    expect(reachesTier(TIERS, BRONZE, 'Silver')).toBe(false);
    expect(reachesTier(TIERS, SILVER, 'silver')).toBe(true);
    expect(reachesTier(TIERS, SILVER, 'Platinum')).toBe(false);
    expect(offerAwards([double], 100n, TIERS, BRONZE)).toEqual({ awards: [], used: [] });
    expect(offerAwards([double], 100n, TIERS, SILVER)).toEqual({ awards: [{ kind: 'OFFER', points: 100n, fundedBy: 'p', ruleId: 'o' }], used: [{ activationId: 'a', points: 100n }] });
    expect(offerAwards([double], 0n, TIERS, SILVER).used).toEqual([]);
  });
});

describe('stamp cards', () => {
  const card: StampCard = { id: 'k', partnerId: 'p', name: 'Coffee', stampsRequired: 5, minAmountMinor: null, category: 'coffee', sku: null, perQuantity: true, rewardPoints: 50n, rewardOffer: null };

  it('counts matching units, per purchase or per unit, from the minimum amount', () => {
    const lines = [line('LATTE', 'Coffee', 2, 6000n), line('TEA', 'tea', 1, 2000n)];
    expect(stampsFor(card, 8000n, lines)).toBe(2);
    expect(stampsFor({ ...card, perQuantity: false }, 8000n, lines)).toBe(1);
    expect(stampsFor({ ...card, category: null, sku: 'TEA' }, 8000n, lines)).toBe(1);
    expect(stampsFor({ ...card, category: null }, 8000n, null)).toBe(1);
    expect(stampsFor({ ...card, category: null, minAmountMinor: 9000n }, 8000n, null)).toBe(0);
    expect(stampsFor(card, 8000n, null)).toBe(0);
  });

  it('a full card rewards once and carries the extra stamps over', () => {
    const { outcomes, awards } = collectStamps([{ ...card, progress: { stamps: 4, filled: 0 } }], 8000n, [line('LATTE', 'coffee', 7, 8000n)]);
    expect(outcomes).toEqual([{ cardId: 'k', stamps: 7, filled: 2, after: { stamps: 1, filled: 2 }, offerGrants: 0 }]);
    expect(awards).toEqual([{ kind: 'STAMP_CARD', points: 100n, fundedBy: 'p', ruleId: 'k' }]);
  });

  it('a refund takes its stamps back and says which rewards of other purchases are owed back', () => {
    // Filled by a later purchase, then an earlier one refunded: the card is no longer full, one reward is owed.
    expect(returnStamps(card, { stamps: 0, filled: 1 }, { stamps: 1, filled: 0 })).toEqual({ after: { stamps: 4, filled: 0 }, clawbackFills: 1, takenBack: 1 });
    // The filling purchase refunded: its own reward returns with its points, nothing else owed.
    expect(returnStamps(card, { stamps: 0, filled: 1 }, { stamps: 1, filled: 1 })).toEqual({ after: { stamps: 4, filled: 0 }, clawbackFills: 0, takenBack: 1 });
    // The filling purchase refunded after later stamps: the card is still full, rewarded at the next stamp.
    expect(returnStamps(card, { stamps: 1, filled: 1 }, { stamps: 1, filled: 1 })).toEqual({ after: { stamps: 5, filled: 0 }, clawbackFills: 0, takenBack: 1 });
    // A stamp on a card not filled: just taken back.
    expect(returnStamps(card, { stamps: 3, filled: 2 }, { stamps: 2, filled: 0 })).toEqual({ after: { stamps: 1, filled: 2 }, clawbackFills: 0, takenBack: 0 });
  });

  const offerCard: StampCard = {
    ...card,
    rewardPoints: null,
    rewardOffer: { offerId: 'o', kind: 'BONUS_POINTS', multiplierMilli: null, bonusPoints: 30n, minTier: null, validFrom: new Date(0), validTo: null, uses: 1 },
  };

  it('a full card rewarding an offer gives no points but one activation per card filled', () => {
    const { outcomes, awards } = collectStamps([{ ...offerCard, progress: { stamps: 4, filled: 0 } }], 8000n, [line('LATTE', 'coffee', 7, 8000n)]);
    expect(outcomes).toEqual([{ cardId: 'k', stamps: 7, filled: 2, after: { stamps: 1, filled: 2 }, offerGrants: 2 }]);
    expect(awards).toEqual([]);
  });

  it("a refund voids the refunded purchase's own activation first, then the newest, and owes back what used ones gave", () => {
    const at = (ms: number) => new Date(ms);
    const granted = [
      { id: 'old', grantedByRefunded: false, activatedAt: at(1), pointsGiven: 30n },
      { id: 'new', grantedByRefunded: false, activatedAt: at(3), pointsGiven: 0n },
      { id: 'own', grantedByRefunded: true, activatedAt: at(2), pointsGiven: 30n },
    ];
    expect(takeBackOfferRewards(granted, 1)).toEqual({ voided: ['own'], clawback: 30n });
    expect(takeBackOfferRewards(granted, 2)).toEqual({ voided: ['own', 'new'], clawback: 30n });
    expect(takeBackOfferRewards(granted, 0)).toEqual({ voided: [], clawback: 0n });
  });

  it("a card's reward offer must be its partner's own published earn offer, lasting as long as the card", () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const offer: OfferFacts = {
      id: 'o', partnerId: 'p', kind: 'BONUS_POINTS', points: 30, multiplier: null, validFrom: new Date('2026-01-01T00:00:00Z'), validTo: null, minTier: null, active: true, usesPerMember: 1,
    };
    expect(rewardOfferProblem(offer, 'p', null, now)).toBeNull();
    expect(rewardOfferProblem(null, 'p', null, now)).toMatch(/unknown/);
    expect(rewardOfferProblem({ ...offer, active: false }, 'p', null, now)).toMatch(/retired/);
    expect(rewardOfferProblem(offer, 'q', null, now)).toMatch(/another partner/);
    expect(rewardOfferProblem({ ...offer, kind: 'POINTS_PRICE' }, 'p', null, now)).toMatch(/POINTS_PRICE/);
    const ends = new Date('2026-07-01T00:00:00Z');
    expect(rewardOfferProblem({ ...offer, validTo: ends }, 'p', null, now)).toMatch(/before the card/);
    expect(rewardOfferProblem({ ...offer, validTo: ends }, 'p', new Date('2026-08-01T00:00:00Z'), now)).toMatch(/before the card/);
    expect(rewardOfferProblem({ ...offer, validTo: ends }, 'p', ends, now)).toBeNull();
    expect(rewardOfferProblem({ ...offer, validTo: new Date('2026-05-01T00:00:00Z') }, 'p', null, now)).toMatch(/ended/);
  });
});
