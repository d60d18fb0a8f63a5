/** The donations subgraph's economics and background work, parsed once from the environment. */
export interface GivingConfig {
  /** The least points one donation may give. */
  minPoints: number;
  /** Money value of one donated point, scaled by 10^6 (RATE_SCALE), in `currency`. */
  pointValueScaled: bigint;
  currency: string;
  /** PENDING donations older than this are re-driven by the reconciler. */
  reconcileAfterMs: number;
  /** Test hook: where this process exits on purpose (only when NODE_ENV=test), with which chance per pass. */
  crashAt: ReadonlySet<string>;
  crashRate: number;
  /** The hook's draws in [0, 1): seeded (DONATIONS_CRASH_SEED), so that a test's crashes replay. */
  crashDraw: () => number;
}

/** Exit statuses of the crash hook, one per point, so a test can tell which crash happened. */
export const CRASH_EXIT_CODES = { 'donation-write': 71, 'ledger-call': 72, 'pledge-write': 73 } as const;

/**
 * Test hook: kills the process at a named point (after the donation's PENDING write and before the
 * ledger call; after the ledger posted and before the donation is confirmed; after a pledge accrual
 * committed and before it is acknowledged), for the exactly-once tests. A no-op unless configured,
 * and never configured outside NODE_ENV=test.
 */
export function crashPoint(config: GivingConfig, point: keyof typeof CRASH_EXIT_CODES): void {
  if (config.crashAt.has(point) && config.crashDraw() < config.crashRate) {
    process.exit(CRASH_EXIT_CODES[point]);
  }
}
