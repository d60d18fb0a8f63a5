import { runEvery, type Logger } from '../../../../lib/src';
import { type ErasureService } from '../services/erasure.service';

/**
 * The erasure's safety net: every `intervalMs` (0: never), drives each erasure request left incomplete by
 * a crash, a subgraph down or open holds for longer than `afterMs` through its remaining steps
 * (ErasureService.reconcile). Returns the stop function.
 */
export function startErasureReconciler(erasures: ErasureService, intervalMs: number, afterMs: number, logger: Logger): () => Promise<void> {
  return runEvery(intervalMs, () => erasures.reconcile(afterMs), (error) => logger.warn('erasure reconciler failed', { error }));
}
