import { afterEach, describe, expect, it, vi } from 'vitest';
import { seededDraws } from '../../../../lib/src/seeded-random';
import { CRASH_EXIT_CODES, crashPoint, type GivingConfig } from '../services/giving.config';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Which of `passes` passes through `point` the hook would have ended the process at. */
function crashesOver(config: Pick<GivingConfig, 'crashAt' | 'crashRate' | 'crashDraw'>, point: keyof typeof CRASH_EXIT_CODES, passes: number): number[] {
  const at: number[] = [];
  for (let i = 0; i < passes; i++) {
    try {
      crashPoint(config as GivingConfig, point);
    } catch (error) {
      if (!(error instanceof Exit)) throw error;
      expect(error.code).toBe(CRASH_EXIT_CODES[point]);
      at.push(i);
    }
  }
  return at;
}

// The donations chaos test replays its crashes from its seed: the hook draws from DONATIONS_CRASH_SEED.
describe('the donations crash hook (NODE_ENV=test only)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('crashes at the same passes for the same seed, at other passes for another, about `crashRate` of them', () => {
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Exit(Number(code));
    });
    const config = (seed: number) => ({ crashAt: new Set(['pledge-write']), crashRate: 0.2, crashDraw: seededDraws(seed) });
    const first = crashesOver(config(1234), 'pledge-write', 500);
    expect(crashesOver(config(1234), 'pledge-write', 500)).toEqual(first);
    expect(crashesOver(config(1235), 'pledge-write', 500)).not.toEqual(first);
    expect(first.length).toBeGreaterThan(70);
    expect(first.length).toBeLessThan(130);
    // A point it is not armed at never crashes, and draws nothing (the armed points' draws stay as they were).
    const draw = vi.fn(seededDraws(1234));
    expect(crashesOver({ crashAt: new Set(['pledge-write']), crashRate: 1, crashDraw: draw }, 'ledger-call', 50)).toEqual([]);
    expect(draw).not.toHaveBeenCalled();
  });
});
