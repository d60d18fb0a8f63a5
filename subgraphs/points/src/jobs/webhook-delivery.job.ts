import { runEvery } from '../../../../lib/src';
import { type WebhookDeliveryService } from '../services/webhooks.service';

/**
 * Delivers partner webhooks every `intervalMs` (0: never; see WebhookDeliveryService). While rounds find a
 * full batch the job goes straight on (up to 50 rounds), so a backlog drains without waiting for ticks.
 * A failed round is logged and the next tick tries again. Returns the stop function.
 */
export function startWebhookDelivery(delivery: WebhookDeliveryService, intervalMs: number, batch = 500): () => Promise<void> {
  return runEvery(
    intervalMs,
    async () => {
      for (let i = 0; i < 50; i++) {
        const { fannedOut, attempted } = await delivery.round(batch);
        if (fannedOut < batch && attempted < batch) return;
      }
    },
    (error) => delivery.logger.warn('webhook delivery failed', { error }),
  );
}
