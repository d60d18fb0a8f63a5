/** The donations subgraph's economics and background work, parsed once from the environment. */
export interface GivingConfig {
  /** The least points one donation may give. */
  minPoints: number;
  /** Money value of one donated point, scaled by 10^6 (RATE_SCALE), in `currency`. */
  pointValueScaled: bigint;
  currency: string;
  /** PENDING donations older than this are re-driven by the reconciler. */
  reconcileAfterMs: number;
  /** Test hook: where this process exits(1) on purpose (only when NODE_ENV=test). */
  crashAt: ReadonlySet<string>;
  crashRate: number;
}

/** Kills the process at a named point, for the exactly-once tests; a no-op unless configured. */
export function crashPoint(config: GivingConfig, point: 'donation-write' | 'ledger-call' | 'pledge-write'): void {
  if (config.crashAt.has(point) && Math.random() < config.crashRate) {
    process.exit(1);
  }
}
