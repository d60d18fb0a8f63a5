import { type CodeFailureLimits } from '../persistence/redemption-code.repository';

/** Ledger settings, from the points subgraph's environment. */
export interface LedgerConfig {
  /** Lots expire this many months after they were earned (default 24). */
  expiryMonths: number;
  /** Open redemption holds expire after this many seconds, by database time (default 900). */
  holdTtlSeconds: number;
  /** Redemption codes are valid this long (default 600). */
  redemptionCodeTtlSeconds: number;
  /** Wrong codes per member and per partner within a window (REDEMPTION_CODE_*_FAILURES). */
  redemptionCodeFailures: CodeFailureLimits;
  /** How often the sweeper expires holds and lots (default 5000 ms; 0 turns it off). */
  sweepIntervalMs: number;
}
