import { describe, expect, it } from 'vitest';
import { awardTotal } from '../domain/award.rules';
import { decideEarn, type EarnFacts } from '../domain/earn-decision.rules';
import { applyMembershipPerks, earlyAccessFrom, membershipStatus, tierWithFloor, withMembershipFloor } from '../domain/membership.rules';
import { effectiveTier } from '../domain/tier.rules';

const TIERS = [
  { name: 'Bronze', threshold: 0n, multiplierMilli: 1000n },
  { name: 'Silver', threshold: 5000n, multiplierMilli: 1250n },
  { name: 'Gold', threshold: 20000n, multiplierMilli: 1500n },
];
const [BRONZE, SILVER, GOLD] = TIERS;

const facts = (overrides: Partial<EarnFacts> = {}): EarnFacts => ({
  partnerId: 'p',
  purchaseMinor: 33_300n,
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
});

describe('paid membership perks', () => {
  it('a tier floor lifts a lower tier, never lowers a higher one, and lifts nobody when the table no longer has it', () => {
    expect(tierWithFloor(TIERS, BRONZE, 'silver')).toBe(SILVER);
    expect(tierWithFloor(TIERS, GOLD, 'Silver')).toBe(GOLD);
    expect(tierWithFloor(TIERS, BRONZE, 'Platinum')).toBe(BRONZE);
    expect(tierWithFloor(TIERS, BRONZE, null)).toBe(BRONZE);
    const now = new Date('2026-11-30T12:00:00Z');
    const end = new Date('2027-11-30T12:00:00Z');
    const held = (qualifying: bigint, override: { tierName: string; endsAt: Date; reason: string } | null = null) => effectiveTier(TIERS, qualifying, null, override, now);
    expect(withMembershipFloor(TIERS, held(1_000n), 1_000n, 'Silver', end)).toEqual({ tier: SILVER, keptBy: 'MEMBERSHIP', endsAt: end, pointsToKeep: 4_000n, qualifyingTier: BRONZE });
    expect(withMembershipFloor(TIERS, held(21_000n), 21_000n, 'Silver', end)).toMatchObject({ tier: GOLD, keptBy: 'QUALIFYING' });
    // An admin's override in force is not lifted: the admin decided.
    expect(withMembershipFloor(TIERS, held(1_000n, { tierName: 'Bronze', endsAt: end, reason: 'fraud check' }), 1_000n, 'Gold', end)).toMatchObject({ tier: BRONZE, keptBy: 'OVERRIDE' });
  });

  it('the earn: the multiplier on the base and the floor’s part of the tier bonus are one MEMBERSHIP award for the coalition; the partner pays the tier earned', () => {
    const perks = { planId: 'vip', multiplierMilli: 1500n, tierFloor: 'Gold' };
    // 333 base; Silver earned (x1.25 = 416), Gold floor (x1.5 = 499): the partner pays 83, the floor 83 more; x1.5 adds 166.
    const d = decideEarn(facts({ qualifying: 6_000n, membership: perks }));
    expect(d.tier).toBe(GOLD);
    expect(d.awards).toEqual([
      { kind: 'BASE', points: 333n, fundedBy: 'p', ruleId: null },
      { kind: 'TIER', points: 83n, fundedBy: 'p', ruleId: null },
      { kind: 'MEMBERSHIP', points: 249n, fundedBy: null, ruleId: 'vip' },
    ]);
    expect(d.total).toBe(awardTotal(d.awards));
    // The same earn without the membership: what the partner pays is unchanged.
    expect(decideEarn(facts({ qualifying: 6_000n })).awards).toEqual(d.awards.slice(0, 2));
    // A Bronze member lifted to Silver: the whole tier bonus is the floor's (no TIER award left for the partner).
    expect(decideEarn(facts({ membership: { planId: 'vip', multiplierMilli: 1000n, tierFloor: 'Silver' } })).awards).toEqual([
      { kind: 'BASE', points: 333n, fundedBy: 'p', ruleId: null },
      { kind: 'MEMBERSHIP', points: 83n, fundedBy: null, ruleId: 'vip' },
    ]);
  });

  it('adds nothing to a purchase that earns no base points, and leaves awards alone without perks', () => {
    const awards = [{ kind: 'BASE' as const, points: 0n, fundedBy: 'p', ruleId: null }];
    expect(applyMembershipPerks(awards, { planId: 'vip', multiplierMilli: 2000n, tierFloor: 'Gold' }, 0n, BRONZE, GOLD)).toEqual(awards);
    expect(applyMembershipPerks(awards, null, 100n, BRONZE, BRONZE)).toEqual(awards);
  });

  it('reads ACTIVE until the period ends, then CANCELLED or EXPIRED; early access opens N days before an offer', () => {
    const end = new Date('2026-12-01T00:00:00Z');
    expect(membershipStatus(end, true, new Date('2026-11-30T23:59:59Z'))).toBe('ACTIVE');
    expect(membershipStatus(end, true, end)).toBe('CANCELLED');
    expect(membershipStatus(end, false, end)).toBe('EXPIRED');
    expect(earlyAccessFrom(end, 7).toISOString()).toBe('2026-11-24T00:00:00.000Z');
  });
});
