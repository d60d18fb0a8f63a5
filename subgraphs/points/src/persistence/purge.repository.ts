import { type PurgeTarget } from '../../../../lib/src/persistence/purge.repository';

/** How long an event is kept once every consumer is done with it (for an operator's questions), in days. */
export const DONE_EVENT_RETENTION_DAYS = 7;
/** How long a finished webhook delivery (DELIVERED or FAILED) stays in the partner's delivery log, in days. */
export const WEBHOOK_LOG_RETENTION_DAYS = 30;
/** How long a used, voided or expired redemption code is kept after it stopped being usable, in hours. */
export const SPENT_CODE_RETENTION_HOURS = 24;

/**
 * What the points subgraph's purge removes (the job: lib/src/jobs/purge.job.ts), keeping everything still
 * needed: an event the pledge relay has not delivered or the webhook fan-out not fanned out, or that a
 * delivery still names, is never touched; nor a pending delivery, a code that can still be used, or a
 * wrong-code failure inside the window the limits count. Deliveries go first, so their events can follow.
 * The ledger, lots, holds, notices and the audit log are never purged (see README "Retention").
 */
export function pointsPurgeTargets(options: { codeFailureWindowSeconds: number }): PurgeTarget[] {
  return [
    {
      name: 'webhook_deliveries',
      statement: `DELETE FROM webhook_deliveries WHERE id = ANY(ARRAY(
                    SELECT id FROM webhook_deliveries
                     WHERE status <> 'PENDING' AND coalesce(delivered_at, last_attempt_at, created_at) < now() - make_interval(days => $2)
                     ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED))`,
      params: [WEBHOOK_LOG_RETENTION_DAYS],
    },
    {
      name: 'event_outbox',
      statement: `DELETE FROM event_outbox WHERE id = ANY(ARRAY(
                    SELECT e.id FROM event_outbox e
                     WHERE (e.kind IS NULL OR e.delivered_at IS NOT NULL) AND e.fanned_out_at IS NOT NULL
                       AND greatest(e.delivered_at, e.fanned_out_at) < now() - make_interval(days => $2)
                       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.outbox_id = e.id)
                     ORDER BY e.id LIMIT $1 FOR UPDATE OF e SKIP LOCKED))`,
      params: [DONE_EVENT_RETENTION_DAYS],
    },
    {
      name: 'redemption_codes',
      statement: `DELETE FROM redemption_codes WHERE id = ANY(ARRAY(
                    SELECT id FROM redemption_codes
                     WHERE least(used_at, voided_at, expires_at) < now() - make_interval(hours => $2)
                     LIMIT $1 FOR UPDATE SKIP LOCKED))`,
      params: [SPENT_CODE_RETENTION_HOURS],
    },
    {
      name: 'redemption_code_failures',
      statement: `DELETE FROM redemption_code_failures WHERE id = ANY(ARRAY(
                    SELECT id FROM redemption_code_failures WHERE failed_at < now() - make_interval(secs => $2)
                     LIMIT $1 FOR UPDATE SKIP LOCKED))`,
      params: [options.codeFailureWindowSeconds],
    },
  ];
}
