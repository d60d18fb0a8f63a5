import { seededDraws } from '../../lib/src/seeded-random';

/** A small seeded PRNG (mulberry32), so that a property test's failure reproduces from its seed; the one the crash hooks draw from. */
export const rng = seededDraws;

/**
 * The seed of a randomised test: TEST_SEED when set (to replay a failure), else a fresh one. Printed, with
 * how to replay it, so that any failure of the run can be reproduced (as far as its concurrency allows).
 */
export function testSeed(label: string): number {
  const given = process.env.TEST_SEED;
  const seed = given !== undefined && given !== '' ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`TEST_SEED must be a non-negative integer, not ${given}`);
  console.log(`${label}: seed ${seed} (replay with TEST_SEED=${seed})`);
  return seed;
}

export interface SeededRandom {
  seed: number;
  /** In [0, 1). */
  next(): number;
  /** An integer in [0, max) or [min, max), as node:crypto's randomInt. */
  int(minOrMax: number, max?: number): number;
  pick<T>(items: readonly T[]): T;
}

/** Every random choice of a test from one seeded generator (mulberry32, see `rng`). */
export function seededRandom(label: string, seed = testSeed(label)): SeededRandom {
  const next = rng(seed);
  const int = (minOrMax: number, max?: number) => {
    const [lo, hi] = max === undefined ? [0, minOrMax] : [minOrMax, max];
    return lo + Math.floor(next() * (hi - lo));
  };
  return { seed, next, int, pick: (items) => items[int(items.length)] };
}
