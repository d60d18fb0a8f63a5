import { runEvery } from '../../../../lib/src';
import { type MaintenanceService } from '../services/maintenance.service';

/**
 * Sweeps the ledger every `intervalMs` (0: never): expired holds and lots (see MaintenanceService). A
 * failed sweep is logged and the next tick tries again. Returns the stop function, which waits for a
 * sweep in progress.
 */
export function startLedgerSweeper(maintenance: MaintenanceService, intervalMs: number): () => Promise<void> {
  return runEvery(intervalMs, () => maintenance.sweep(), (error) => maintenance.logger.warn('ledger sweep failed', { error }));
}
