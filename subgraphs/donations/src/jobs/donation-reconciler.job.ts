import { runEvery, type Logger } from '../../../../lib/src';
import { type DonationsService } from '../services/donations.service';

/**
 * The donation saga's safety net: every `intervalMs` (0: never), drives each donation left PENDING by a
 * crash or a failed ledger call to its final state (DonationsService.reconcile). Returns the stop function.
 */
export function startDonationReconciler(donations: DonationsService, intervalMs: number, logger: Logger): () => Promise<void> {
  return runEvery(intervalMs, () => donations.reconcile(), (error) => logger.warn('reconciler failed', { error }));
}
