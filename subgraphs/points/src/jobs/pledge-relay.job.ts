import { runEvery } from '../../../../lib/src';
import { type PledgeRelayService } from '../services/pledge-relay.service';

/**
 * Relays the earn outbox to the donations subgraph every `intervalMs` (0: never; see PledgeRelayService).
 * A failed round is logged and the next tick tries again. Returns the stop function, which waits for a
 * round in progress.
 */
export function startPledgeRelay(relay: PledgeRelayService, intervalMs: number): () => Promise<void> {
  return runEvery(intervalMs, () => relay.relay(), (error) => relay.logger.warn('pledge relay failed', { error }));
}
