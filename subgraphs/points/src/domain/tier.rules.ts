/**
 * Tiers: qualifying points earned over a rolling 12 months place a member in the highest tier whose
 * threshold they reach. Multipliers are fixed point with 3 decimals (1250 = x1.25).
 */
export interface Tier {
  name: string;
  /** Qualifying points needed, inclusive. The lowest tier's threshold is 0. */
  threshold: bigint;
  /** Earn multiplier x 1000. */
  multiplierMilli: bigint;
}

export const MULTIPLIER_SCALE = 1000n;

export interface TierStanding {
  tier: Tier;
  next: Tier | null;
  qualifyingPoints: bigint;
  /** Points still needed for the next tier; 0 at the top tier. */
  pointsToNext: bigint;
}

/** Tiers sorted by threshold; the caller guarantees one tier with threshold 0 (see `validateTiers`). */
export function standing(tiers: readonly Tier[], qualifyingPoints: bigint): TierStanding {
  const sorted = [...tiers].sort((a, b) => (a.threshold < b.threshold ? -1 : a.threshold > b.threshold ? 1 : 0));
  let index = 0;
  for (let i = 0; i < sorted.length; i++) if (qualifyingPoints >= sorted[i].threshold) index = i;
  const next = sorted[index + 1] ?? null;
  return { tier: sorted[index], next, qualifyingPoints, pointsToNext: next ? next.threshold - qualifyingPoints : 0n };
}

/** A tier table is valid when names are unique, thresholds strictly increase from 0, multipliers >= 1. */
export function tierTableProblem(tiers: readonly Tier[]): { index: number; field: string; message: string } | null {
  if (tiers.length === 0 || tiers.length > 10) return { index: 0, field: 'tiers', message: 'must list 1 to 10 tiers' };
  const names = new Set<string>();
  for (const [index, tier] of tiers.entries()) {
    if (names.has(tier.name.toLowerCase())) return { index, field: 'name', message: 'must be unique' };
    names.add(tier.name.toLowerCase());
    if (index === 0 && tier.threshold !== 0n) return { index, field: 'threshold', message: 'the first tier must start at 0' };
    if (index > 0 && tier.threshold <= tiers[index - 1].threshold) return { index, field: 'threshold', message: 'must be greater than the previous tier' };
    if (tier.multiplierMilli < MULTIPLIER_SCALE || tier.multiplierMilli > 10n * MULTIPLIER_SCALE) {
      return { index, field: 'multiplier', message: 'must be between 1 and 10' };
    }
  }
  return null;
}
