import { describe, expect, it } from 'vitest';
import { fromStoredRule, tierRanges, toStoredRule, validateSegmentRule } from '../domain/segment.rules';
import { type Tier } from '../domain/tier.rules';
import { expectBadInput } from '../../../../test/support/errors';

const tiers: Tier[] = [
  { name: 'Silver', threshold: 5000n, multiplierMilli: 1250n },
  { name: 'Bronze', threshold: 0n, multiplierMilli: 1000n },
  { name: 'Gold', threshold: 20000n, multiplierMilli: 1500n },
];
const PARTNER = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

describe('tier ranges', () => {
  it('places a tier from its threshold to the next one, the lowest from 0 and the highest without end', () => {
    expect(tierRanges(tiers, ['silver'])).toEqual([{ from: 5000n, to: 20000n }]);
    expect(tierRanges(tiers, ['Bronze', 'GOLD'])).toEqual([
      { from: 0n, to: 5000n },
      { from: 20000n, to: null },
    ]);
  });

  it('matches nobody for a tier the table does not have', () => {
    expect(tierRanges(tiers, ['Platinum'])).toEqual([]);
  });
});

describe('segment rules', () => {
  it("gives a partner's spend, visits and last activity the partner's own id, and refuses another's", () => {
    const rule = validateSegmentRule({ activity: [{ periodDays: 30, minVisits: 2 }], lastActivity: { withinDays: 60 } }, PARTNER);
    expect(rule.activity[0].partnerId).toBe(PARTNER);
    expect(rule.lastActivity?.partnerId).toBe(PARTNER);
    expectBadInput(() => validateSegmentRule({ activity: [{ partnerId: OTHER, periodDays: 30, minVisits: 1 }] }, PARTNER), 'rule.activity.0.partnerId');
    expectBadInput(() => validateSegmentRule({ lastActivity: { partnerId: OTHER, withinDays: 30 } }, PARTNER), 'rule.lastActivity.partnerId');
  });

  it("lets the admin's rules read every partner, or one", () => {
    expect(validateSegmentRule({ activity: [{ periodDays: 30, minVisits: 1 }] }, null).activity[0].partnerId).toBeNull();
    expect(validateSegmentRule({ activity: [{ partnerId: OTHER, periodDays: 30, minVisits: 1 }] }, null).activity[0].partnerId).toBe(OTHER);
  });

  it('normalises cities and categories to their keys and keeps spend exact', () => {
    const rule = validateSegmentRule({ enrolledCities: [' Oslo', 'OSLO', 'Bergen'], activity: [{ category: 'Produce', periodDays: 7, minSpend: { amount: '99.95', currency: 'NOK' } }] }, null);
    expect(rule.enrolledCities).toEqual(['oslo', 'bergen']);
    expect(rule.activity[0]).toMatchObject({ category: 'produce', minSpend: { minor: 9995n, currency: 'NOK' } });
    expect(fromStoredRule(JSON.parse(JSON.stringify(toStoredRule(rule))))).toEqual(rule);
  });

  it('refuses a rule without criteria and criteria out of range, naming the field', () => {
    expectBadInput(() => validateSegmentRule({}, null), 'rule');
    expectBadInput(() => validateSegmentRule({ tiers: [] }, null), 'rule.tiers');
    expectBadInput(() => validateSegmentRule({ birthMonths: [0] }, null), 'rule.birthMonths.0');
    expectBadInput(() => validateSegmentRule({ activity: [{ periodDays: 731, minVisits: 1 }] }, null), 'rule.activity.0.periodDays');
    expectBadInput(() => validateSegmentRule({ activity: [{ periodDays: 30, minVisits: 0 }] }, null), 'rule.activity.0.minVisits');
    expectBadInput(() => validateSegmentRule({ lastActivity: {} }, null), 'rule.lastActivity.withinDays');
    expectBadInput(() => validateSegmentRule({ lastActivity: { withinDays: 30, notWithinDays: 30 } }, null), 'rule.lastActivity.notWithinDays');
  });
});
