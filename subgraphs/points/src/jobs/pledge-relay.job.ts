import { runEvery } from '../../../../lib/src';
import { type PledgeRelayService } from '../services/pledge-relay.service';

/**
 * Relays the pledge events of the event outbox to the donations subgraph every `intervalMs` (0: never; see
 * PledgeRelayService). While rounds deliver a full batch the job goes straight on (up to 50 rounds), so a
 * backlog drains without waiting for ticks. A failed round is logged and the next tick tries again. Returns
 * the stop function, which waits for a round in progress.
 */
export function startPledgeRelay(relay: PledgeRelayService, intervalMs: number, batch = 200): () => Promise<void> {
  return runEvery(
    intervalMs,
    async () => {
      for (let i = 0; i < 50; i++) if ((await relay.relay(batch)) < batch) return;
    },
    (error) => relay.logger.warn('pledge relay failed', { error }),
  );
}
