/**
 * A small seeded PRNG (mulberry32): draws in [0, 1) that repeat from the same seed. For test hooks whose
 * random choices a failing test must be able to replay (never for anything a user or an attacker sees).
 */
export function seededDraws(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
