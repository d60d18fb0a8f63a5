import { runEvery, type Logger } from '../../../../lib/src';
import { type ClosingService } from '../services/closing.service';

/**
 * The closing saga's safety net: every `intervalMs` (0: never), drives each closing or merge left PENDING
 * by a crash or a failed call to another subgraph to its final state (ClosingService.reconcile).
 * Returns the stop function.
 */
export function startClosingReconciler(closings: ClosingService, intervalMs: number, logger: Logger): () => Promise<void> {
  return runEvery(intervalMs, () => closings.reconcile(), (error) => logger.warn('closing reconciler failed', { error }));
}
