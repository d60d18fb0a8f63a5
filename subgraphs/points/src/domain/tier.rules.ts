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

/**
 * Tier rules members understand (issue 18, part 5). A tier, once reached by qualifying points, lasts until
 * the end of the next calendar year (UTC, as the qualifying months); when that ends without requalifying,
 * the member goes down one level, which lasts to the end of that calendar year, then another, never below
 * what their qualifying points give. An admin override (tier, end, reason) wins until its end.
 */

/** The highest tier reached and how long it is kept (tier_status): the reached tier's threshold, and the instant retention ends (exclusive). */
export interface TierRecord {
  heldThreshold: bigint;
  retainedUntil: Date;
}

/** An admin's override in force: the tier by name, until when (exclusive), and why. */
export interface TierOverride {
  tierName: string;
  endsAt: Date;
  reason: string;
}

/** MEMBERSHIP: a paid membership's tier floor (membership.rules withMembershipFloor). */
export type TierKeptBy = 'QUALIFYING' | 'RETENTION' | 'OVERRIDE' | 'MEMBERSHIP';

export interface EffectiveTier {
  tier: Tier;
  keptBy: TierKeptBy;
  /** When this tier ends unless something keeps it (exclusive); null: it never ends (the lowest tier by qualifying points). */
  endsAt: Date | null;
  /** Qualifying points still needed to hold this tier by qualifying alone; 0 when they already do. */
  pointsToKeep: bigint;
  /** The tier the qualifying points alone give. */
  qualifyingTier: Tier;
}

/** 1 January, 00:00 UTC, of `year`. */
const startOfYear = (year: number): Date => new Date(Date.UTC(year, 0, 1));

/** When a tier reached at `at` stops being kept: the end of the next calendar year (UTC), as an exclusive instant. */
export function retentionEnd(at: Date): Date {
  return startOfYear(at.getUTCFullYear() + 2);
}

/** The tier the record still keeps at `now` (one level down per calendar year after retention ended), with its end; null below the lowest. */
export function retainedTier(sorted: readonly Tier[], record: TierRecord, now: Date): { index: number; endsAt: Date } | null {
  let held = -1;
  for (let i = 0; i < sorted.length; i++) if (sorted[i].threshold <= record.heldThreshold) held = i;
  if (held < 0) return null;
  if (now.getTime() < record.retainedUntil.getTime()) return { index: held, endsAt: record.retainedUntil };
  const levelsDown = now.getUTCFullYear() - record.retainedUntil.getUTCFullYear() + 1;
  const index = held - levelsDown;
  return index >= 0 ? { index, endsAt: startOfYear(now.getUTCFullYear() + 1) } : null;
}

/** The tier that prices earns and gates offers: an override in force, else the higher of the retained and the qualifying tier. */
export function effectiveTier(tiers: readonly Tier[], qualifying: bigint, record: TierRecord | null, override: TierOverride | null, now: Date): EffectiveTier {
  const sorted = [...tiers].sort((a, b) => (a.threshold < b.threshold ? -1 : a.threshold > b.threshold ? 1 : 0));
  const q = standing(sorted, qualifying).tier;
  const qIndex = sorted.indexOf(q);
  const toKeep = (tier: Tier) => (tier.threshold > qualifying ? tier.threshold - qualifying : 0n);
  const forced = override && now.getTime() < override.endsAt.getTime() ? sorted.find((t) => t.name.toLowerCase() === override.tierName.toLowerCase()) : undefined;
  if (forced) return { tier: forced, keptBy: 'OVERRIDE', endsAt: override!.endsAt, pointsToKeep: toKeep(forced), qualifyingTier: q };
  const retained = record ? retainedTier(sorted, record, now) : null;
  if (retained && retained.index > qIndex) {
    const tier = sorted[retained.index];
    return { tier, keptBy: 'RETENTION', endsAt: retained.endsAt, pointsToKeep: toKeep(tier), qualifyingTier: q };
  }
  // Held by qualifying points now; once reached it is also kept until the record's end (the lowest tier never ends).
  const endsAt = qIndex === 0 ? null : retained && retained.index === qIndex ? retained.endsAt : retentionEnd(now);
  return { tier: q, keptBy: 'QUALIFYING', endsAt, pointsToKeep: 0n, qualifyingTier: q };
}
