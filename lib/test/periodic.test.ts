import { describe, expect, it } from 'vitest';
import { runEvery } from '../src/periodic';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runEvery', () => {
  it('never runs the task twice at once, keeps going after a failure, and stop waits for the run in progress', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    let finished = 0;
    const errors: unknown[] = [];
    const stop = runEvery(
      5,
      async () => {
        runs++;
        active++;
        most = Math.max(most, active);
        await sleep(30); // six ticks per run
        active--;
        finished++;
        if (runs === 1) throw new Error('first run fails');
      },
      (error) => errors.push(error),
    );
    await sleep(150);
    await stop();
    expect(most).toBe(1);
    expect(runs).toBeGreaterThan(1);
    expect(runs).toBeLessThan(10); // one per run's length, not one per tick
    expect(finished).toBe(runs);
    expect(errors).toHaveLength(1);
    const after = runs;
    await sleep(30);
    expect(runs).toBe(after);
  });

  it('does nothing for an interval of 0', async () => {
    let runs = 0;
    const stop = runEvery(0, async () => void runs++, () => undefined);
    await sleep(20);
    await stop();
    expect(runs).toBe(0);
  });
});
