/** The closing saga's background work and test hook, parsed once from the environment. */
export interface ClosingConfig {
  /** PENDING closings and merges older than this are re-driven by the reconciler. */
  reconcileAfterMs: number;
  /**
   * Test hook (only when NODE_ENV=test): the first time the saga reaches a named point in this process it
   * stops there as a crash would, writing nothing more: `closing-write` (the request is recorded, the
   * ledger not yet called), `ledger-call` (the ledger has closed or merged, members has not recorded it).
   */
  crashAt: Set<string>;
}

/** Stops the saga at `point` once, if the test hook asks for it (see ClosingConfig.crashAt). */
export function crashPoint(config: ClosingConfig, point: 'closing-write' | 'ledger-call'): void {
  if (config.crashAt.delete(point)) throw new Error(`simulated crash at ${point}`);
}
