import { type DataSource } from 'typeorm';
import { requireAdmin, type Viewer } from '../../../../lib/src';
import { countLedgerDrift, type LedgerCheck } from '../persistence/ledger-check.repository';

/**
 * Proves the ledger from its own rows, for the operator: every transaction balances, and every
 * maintained figure (balances, pending, lots) equals what the append-only postings and holds say.
 * A full scan: run it off-peak or on a replica. Raises: FORBIDDEN.
 */
export class IntegrityService {
  constructor(private readonly dataSource: DataSource) {}

  async check(viewer: Viewer): Promise<LedgerCheck & { ok: boolean }> {
    requireAdmin(viewer);
    const check = await countLedgerDrift(this.dataSource.manager);
    const ok = check.unbalancedTransactions + check.balanceDrift + check.lotDrift + check.pendingDrift + check.pointsMismatch === 0n;
    return { ...check, ok };
  }
}
