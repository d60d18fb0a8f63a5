import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { seededRandom, testSeed } from './support/random';

// The chaos tests' replay promise: one seed, one sequence of choices, and the seed of a run is printed.
describe('seeded test randomness', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('draws the same choices from the same seed, and others from another', () => {
    const draw = (seed: number) => {
      const r = seededRandom('t', seed);
      return [r.int(100), r.int(5, 10), r.pick(['a', 'b', 'c']), r.next()];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    const r = seededRandom('t', 7);
    for (let i = 0; i < 1000; i++) {
      const n = r.int(5, 10);
      expect(n >= 5 && n < 10 && Number.isInteger(n)).toBe(true);
    }
  });

  it('takes TEST_SEED when set, prints the seed either way, and refuses a seed that is not an integer', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.stubEnv('TEST_SEED', '12345');
    expect(testSeed('chaos')).toBe(12345);
    expect(seededRandom('chaos').seed).toBe(12345);
    expect(log).toHaveBeenCalledWith('chaos: seed 12345 (replay with TEST_SEED=12345)');
    vi.stubEnv('TEST_SEED', '');
    const fresh = testSeed('chaos');
    expect(log).toHaveBeenLastCalledWith(`chaos: seed ${fresh} (replay with TEST_SEED=${fresh})`);
    vi.stubEnv('TEST_SEED', 'abc');
    expect(() => testSeed('chaos')).toThrow(/TEST_SEED/);
  });

  it('is where every chaos test draws its choices from: no unseeded randomness in test/e2e/*chaos*', () => {
    const dir = join(__dirname, 'e2e');
    const files = readdirSync(dir).filter((f) => f.includes('chaos') && f.endsWith('.e2e.test.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source, file).toMatch(/seededRandom\(/);
      expect(source.match(/\brandomInt\b[^;]*from 'node:crypto'|Math\.random|ORDER BY random\(\)/g) ?? [], file).toEqual([]);
    }
  });
});
