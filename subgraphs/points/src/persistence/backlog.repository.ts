import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

export interface Backlog {
  count: number;
  /** Age of the oldest waiting row in seconds (0 when none). */
  oldestAgeSeconds: number;
}

/**
 * What waits in the event outbox, per consumer (each read on its partial index): the pledge relay's
 * undelivered earn events, the webhook fan-out's events not yet fanned out, and webhook deliveries pending.
 */
export async function outboxBacklogs(manager: EntityManager): Promise<{ pledgeRelay: Backlog; webhookFanout: Backlog; webhookDeliveries: Backlog }> {
  const { rows } = await sql<{ consumer: string; count: string; oldest_age: number | null }>(
    manager,
    `SELECT 'pledge_relay' AS consumer, count(*)::text AS count, extract(epoch FROM now() - min(occurred_at))::float8 AS oldest_age
       FROM event_outbox WHERE delivered_at IS NULL AND kind IS NOT NULL
     UNION ALL
     SELECT 'webhook_fanout', count(*)::text, extract(epoch FROM now() - min(occurred_at))::float8 FROM event_outbox WHERE fanned_out_at IS NULL
     UNION ALL
     SELECT 'webhook_deliveries', count(*)::text, extract(epoch FROM now() - min(created_at))::float8 FROM webhook_deliveries WHERE status = 'PENDING'`,
  );
  const of = (consumer: string): Backlog => {
    const row = rows.find((r) => r.consumer === consumer);
    return { count: Number(row?.count ?? 0), oldestAgeSeconds: Math.max(0, row?.oldest_age ?? 0) };
  };
  return { pledgeRelay: of('pledge_relay'), webhookFanout: of('webhook_fanout'), webhookDeliveries: of('webhook_deliveries') };
}
