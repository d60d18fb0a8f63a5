import { describe, expect, it } from 'vitest';
import { Batcher } from '../src/batcher';

/** A job: its id and the keys it may not share with another job of its batch. */
type Job = { id: number; keys: string[] };

/** A batcher whose batches finish when the test says, recording what each batch and each alone run took. */
function harness(options: { concurrency: number; maxSize: number; minBesideAnother?: number }) {
  const batches: number[][] = [];
  const alone: number[] = [];
  const finish: (() => void)[] = [];
  const batcher = new Batcher<Job, string>({
    ...options,
    keys: (job) => job.keys,
    run: async (jobs) => {
      batches.push(jobs.map((j) => j.id));
      await new Promise<void>((resolve) => finish.push(resolve));
      return jobs.map((j) => (j.id % 5 === 4 ? Promise.reject(new Error(`job ${j.id} refused`)) : `batch ${j.id}`));
    },
    alone: async (job) => `alone ${job.id}`,
  });
  return { batcher, batches, alone, finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher (group commit)', () => {
  it('starts a batch at once while a slot is free, and gathers what arrives meanwhile into the next', async () => {
    const { batcher, batches, finish } = harness({ concurrency: 1, maxSize: 3 });
    const answers = [0, 1, 2, 3, 5, 6].map((id) => batcher.submit({ id, keys: [`m${id}`] }));
    await tick();
    expect(batches).toEqual([[0]]);
    expect(batcher.waiting).toBe(5);
    finish.shift()!();
    await tick();
    // The next slot takes the longest-waiting jobs, at most maxSize.
    expect(batches).toEqual([[0], [1, 2, 3]]);
    finish.shift()!();
    await tick();
    expect(batches).toEqual([[0], [1, 2, 3], [5, 6]]);
    finish.shift()!();
    expect(await Promise.all(answers)).toEqual(['batch 0', 'batch 1', 'batch 2', 'batch 3', 'batch 5', 'batch 6']);
  });

  it('never puts two jobs sharing a key in one batch: the later runs alone at once', async () => {
    const { batcher, batches, finish } = harness({ concurrency: 1, maxSize: 10 });
    const first = batcher.submit({ id: 0, keys: ['m0'] });
    const answers = [
      batcher.submit({ id: 1, keys: ['m1', 'k1'] }),
      batcher.submit({ id: 2, keys: ['m1', 'k2'] }),
      batcher.submit({ id: 3, keys: ['m3', 'k1'] }),
      batcher.submit({ id: 5, keys: ['m5'] }),
    ];
    await tick();
    finish.shift()!();
    await tick();
    expect(batches).toEqual([[0], [1, 5]]);
    // 2 shares its member with 1, 3 its key: neither waited for the batch.
    expect(await answers[1]).toBe('alone 2');
    expect(await answers[2]).toBe('alone 3');
    finish.shift()!();
    expect(await Promise.all([first, answers[0], answers[3]])).toEqual(['batch 0', 'batch 1', 'batch 5']);
  });

  it('answers each job of a batch for itself, and fails every job of a batch that fails as a whole', async () => {
    const { batcher, finish } = harness({ concurrency: 2, maxSize: 10 });
    const ok = batcher.submit({ id: 1, keys: ['a'] });
    const refused = batcher.submit({ id: 4, keys: ['b'] });
    await tick();
    finish.splice(0).forEach((f) => f());
    expect(await ok).toBe('batch 1');
    await expect(refused).rejects.toThrow('job 4 refused');

    const failing = new Batcher<Job, string>({
      concurrency: 1,
      maxSize: 10,
      keys: (job) => job.keys,
      run: async () => {
        throw new Error('connection lost');
      },
      alone: async (job) => `alone ${job.id}`,
    });
    const all = [failing.submit({ id: 1, keys: ['a'] }), failing.submit({ id: 2, keys: ['b'] })];
    for (const a of all) await expect(a).rejects.toThrow('connection lost');
  });

  it('runs at most `concurrency` batches at once', async () => {
    const { batcher, batches, finish } = harness({ concurrency: 2, maxSize: 2 });
    const answers = [1, 2, 3, 6, 7].map((id) => batcher.submit({ id, keys: [`m${id}`] }));
    await tick();
    expect(batches).toEqual([[1], [2]]);
    finish.shift()!();
    await tick();
    expect(batches).toEqual([[1], [2], [3, 6]]);
    finish.splice(0).forEach((f) => f());
    await tick();
    finish.splice(0).forEach((f) => f());
    expect(await Promise.all(answers)).toEqual(['batch 1', 'batch 2', 'batch 3', 'batch 6', 'batch 7']);
  });

  it('opens a slot beside a running batch only for `minBesideAnother` waiting jobs', async () => {
    const { batcher, batches, finish } = harness({ concurrency: 2, maxSize: 10, minBesideAnother: 3 });
    const answers = [batcher.submit({ id: 0, keys: ['m0'] }), batcher.submit({ id: 1, keys: ['m1'] }), batcher.submit({ id: 2, keys: ['m2'] })];
    await tick();
    // Two waiting: they wait for the running batch rather than open the second slot.
    expect(batches).toEqual([[0]]);
    answers.push(batcher.submit({ id: 3, keys: ['m3'] }));
    await tick();
    expect(batches).toEqual([[0], [1, 2, 3]]);
    answers.push(batcher.submit({ id: 5, keys: ['m5'] }));
    await tick();
    expect(batches).toEqual([[0], [1, 2, 3]]);
    // A slot that frees with the other still running takes the waiting job only when it is the last running.
    finish.shift()!();
    await tick();
    expect(batches).toEqual([[0], [1, 2, 3]]);
    finish.shift()!();
    await tick();
    expect(batches).toEqual([[0], [1, 2, 3], [5]]);
    finish.shift()!();
    expect(await Promise.all(answers)).toEqual(['batch 0', 'batch 1', 'batch 2', 'batch 3', 'batch 5']);
  });
});
