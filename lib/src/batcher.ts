/**
 * Group commit: requests that arrive while earlier ones are being written are written together, in one
 * database transaction and a few set-based statements, instead of one transaction and its round trips each.
 * Nothing waits for a batch to fill: a request that finds a free slot starts a batch at once (alone, at low
 * load, costing what it did before); requests that find every slot busy queue, and the next free slot takes
 * all of them it may, in arrival order. So batches grow with load, and a request waits at most for the batch
 * ahead of it.
 *
 * Two requests whose `keys` share a key (a member, an idempotency key) are never in one batch: the later one
 * runs alone at once (`alone`, outside the slots), and so waits where it would have waited without batching
 * (in the database, on the member's lock or the key's claim), not in this queue behind the batches: a member
 * whose card a busy till sends many earns at once is served as fast as before. `run` answers each request of a batch: with its result, or
 * with a promise of it (a request the batch handed back to run on its own, which then no longer holds the
 * batch's slot). A batch that fails as a whole fails every request in it.
 */
export interface BatcherOptions<J, R> {
  /** Writes one batch; answers per job, in the order given. */
  run: (jobs: readonly J[]) => Promise<readonly (R | Promise<R>)[]>;
  /** Batches written at once (each holds one database connection). */
  concurrency: number;
  /**
   * The fewest jobs a batch takes while another batch is being written (default 1): a slot beyond the first
   * opens only for this many waiting jobs, so that at moderate load the jobs gather into one large batch (a
   * batch's cost is mostly per batch) and only a queue that one slot cannot keep up with is split.
   */
  minBesideAnother?: number;
  /** The most jobs one batch takes. */
  maxSize: number;
  /** What two jobs of one batch may not share. */
  keys: (job: J) => readonly string[];
  /** Writes a job that shares a key with one in the batch being taken, on its own and at once. */
  alone: (job: J) => Promise<R>;
}

interface Waiting<J, R> {
  job: J;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class Batcher<J, R> {
  private readonly queue: Waiting<J, R>[] = [];
  private running = 0;

  constructor(private readonly options: BatcherOptions<J, R>) {
    if (options.concurrency < 1 || options.maxSize < 1) throw new Error('a batcher needs at least one slot and one job per batch');
  }

  /** Jobs waiting for a slot (for tests and metrics). */
  get waiting(): number {
    return this.queue.length;
  }

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      if (this.running > 0 && this.queue.length < (this.options.minBesideAnother ?? 1)) return;
      const batch = this.take();
      this.running++;
      void this.write(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** The next batch: queued jobs in arrival order; one that shares a key with one already taken runs alone. */
  private take(): Waiting<J, R>[] {
    const taken: Waiting<J, R>[] = [];
    const used = new Set<string>();
    while (this.queue.length > 0 && taken.length < this.options.maxSize) {
      const w = this.queue.shift() as Waiting<J, R>;
      const keys = this.options.keys(w.job);
      if (keys.some((k) => used.has(k))) {
        this.options.alone(w.job).then(w.resolve, w.reject);
        continue;
      }
      for (const k of keys) used.add(k);
      taken.push(w);
    }
    return taken;
  }

  private async write(batch: Waiting<J, R>[]): Promise<void> {
    let answers: readonly (R | Promise<R>)[];
    try {
      answers = await this.options.run(batch.map((w) => w.job));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => Promise.resolve(answers[i]).then(w.resolve, w.reject));
  }
}
