import { describe, expect, it } from 'vitest';
import { effectiveTier, retentionEnd, type Tier } from '../domain/tier.rules';

const T = (name: string, threshold: number, multiplier = 1000): Tier => ({ name, threshold: BigInt(threshold), multiplierMilli: BigInt(multiplier) });
const TIERS = [T('Blue', 0), T('Silver', 1000, 1250), T('Gold', 5000, 1500), T('Platinum', 20000, 2000)];
const at = (iso: string) => new Date(iso);

describe('tier retention', () => {
  it('keeps a tier reached until the end of the next calendar year (UTC)', () => {
    expect(retentionEnd(at('2026-05-10T12:00:00Z'))).toEqual(at('2028-01-01T00:00:00Z'));
    expect(retentionEnd(at('2026-12-31T23:59:59Z'))).toEqual(at('2028-01-01T00:00:00Z'));
  });

  it('answers the qualifying tier when it is the highest, with the end of its retention', () => {
    const record = { heldThreshold: 5000n, retainedUntil: at('2028-01-01T00:00:00Z') };
    expect(effectiveTier(TIERS, 6000n, record, null, at('2026-06-01T00:00:00Z'))).toMatchObject({
      tier: { name: 'Gold' },
      keptBy: 'QUALIFYING',
      endsAt: at('2028-01-01T00:00:00Z'),
      pointsToKeep: 0n,
    });
    // The lowest tier never ends.
    expect(effectiveTier(TIERS, 10n, null, null, at('2026-06-01T00:00:00Z'))).toMatchObject({ tier: { name: 'Blue' }, keptBy: 'QUALIFYING', endsAt: null });
  });

  it('keeps the reached tier by retention while qualifying points fall, saying how many points would keep it', () => {
    const record = { heldThreshold: 5000n, retainedUntil: at('2028-01-01T00:00:00Z') };
    expect(effectiveTier(TIERS, 1200n, record, null, at('2027-11-30T00:00:00Z'))).toMatchObject({
      tier: { name: 'Gold' },
      keptBy: 'RETENTION',
      endsAt: at('2028-01-01T00:00:00Z'),
      pointsToKeep: 3800n,
      qualifyingTier: { name: 'Silver' },
    });
  });

  it('goes down at most one level per calendar year once retention ends, never below the qualifying tier', () => {
    const record = { heldThreshold: 20000n, retainedUntil: at('2028-01-01T00:00:00Z') };
    // 2028: one level down (Gold), until the end of 2028.
    expect(effectiveTier(TIERS, 0n, record, null, at('2028-01-01T00:00:00Z'))).toMatchObject({ tier: { name: 'Gold' }, keptBy: 'RETENTION', endsAt: at('2029-01-01T00:00:00Z') });
    // 2029: Silver; 2030: Blue (the qualifying tier).
    expect(effectiveTier(TIERS, 0n, record, null, at('2029-07-01T00:00:00Z'))).toMatchObject({ tier: { name: 'Silver' }, keptBy: 'RETENTION' });
    expect(effectiveTier(TIERS, 0n, record, null, at('2030-07-01T00:00:00Z'))).toMatchObject({ tier: { name: 'Blue' }, keptBy: 'QUALIFYING' });
    // Qualifying for Gold in 2029 holds Gold (not the decayed Silver).
    expect(effectiveTier(TIERS, 7000n, record, null, at('2029-07-01T00:00:00Z'))).toMatchObject({ tier: { name: 'Gold' }, keptBy: 'QUALIFYING' });
  });

  it('lets an override win until its end, even below the qualifying tier', () => {
    const override = { tierName: 'silver', endsAt: at('2027-03-01T00:00:00Z'), reason: 'Status match' };
    expect(effectiveTier(TIERS, 9000n, null, override, at('2027-02-28T00:00:00Z'))).toMatchObject({ tier: { name: 'Silver' }, keptBy: 'OVERRIDE', endsAt: override.endsAt, pointsToKeep: 0n });
    expect(effectiveTier(TIERS, 0n, null, { ...override, tierName: 'Platinum' }, at('2027-02-28T00:00:00Z'))).toMatchObject({ tier: { name: 'Platinum' }, keptBy: 'OVERRIDE', pointsToKeep: 20000n });
    // Ended: the usual rules again.
    expect(effectiveTier(TIERS, 9000n, null, override, at('2027-03-01T00:00:00Z'))).toMatchObject({ tier: { name: 'Gold' }, keptBy: 'QUALIFYING' });
    // A tier the table no longer has is ignored.
    expect(effectiveTier(TIERS, 9000n, null, { ...override, tierName: 'Diamond' }, at('2027-02-28T00:00:00Z'))).toMatchObject({ tier: { name: 'Gold' } });
  });
});
