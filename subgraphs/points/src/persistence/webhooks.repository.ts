import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Partner webhooks: endpoints (webhook_endpoints), one delivery per endpoint and event (webhook_deliveries),
 * fed from the event outbox (event_outbox) and member notices (member_notices).
 */

export interface EndpointRow {
  id: string;
  partner_id: string;
  url: string;
  events: string[];
  status: 'ACTIVE' | 'DISABLED';
  disabled_reason: string | null;
  disabled_at: Date | null;
  consecutive_failures: number;
  created_at: Date;
}

const ENDPOINT_COLUMNS = 'id, partner_id, url, events, status, disabled_reason, disabled_at, consecutive_failures, created_at';

export async function insertEndpoint(manager: EntityManager, partnerId: string, url: string, events: readonly string[], secret: string): Promise<EndpointRow> {
  const { rows } = await sql<EndpointRow>(
    manager,
    `INSERT INTO webhook_endpoints (partner_id, url, events, secret) VALUES ($1, $2, $3, $4) RETURNING ${ENDPOINT_COLUMNS}`,
    [partnerId, url, [...events], secret],
  );
  return rows[0];
}

export async function findEndpoint(manager: EntityManager, id: string): Promise<EndpointRow | null> {
  const { rows } = await sql<EndpointRow>(manager, `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function partnerEndpoints(manager: EntityManager, partnerId: string): Promise<EndpointRow[]> {
  const { rows } = await sql<EndpointRow>(manager, `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE partner_id = $1 ORDER BY created_at, id`, [partnerId]);
  return rows;
}

export async function enableEndpoint(manager: EntityManager, id: string): Promise<void> {
  await sql(
    manager,
    `UPDATE webhook_endpoints SET status = 'ACTIVE', disabled_reason = NULL, disabled_at = NULL, consecutive_failures = 0, failing_since = NULL WHERE id = $1`,
    [id],
  );
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  type: string;
  member_id: string | null;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

const DELIVERY_COLUMNS = `d.id::text, d.endpoint_id, o.event_id, o.type, d.member_id, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at,
  d.last_status_code, d.last_error, d.delivered_at, d.created_at`;

/** An endpoint's deliveries, newest first. */
export async function endpointDeliveries(manager: EntityManager, endpointId: string, limit: number): Promise<DeliveryRow[]> {
  const { rows } = await sql<DeliveryRow>(
    manager,
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN event_outbox o ON o.id = d.outbox_id WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2`,
    [endpointId, limit],
  );
  return rows;
}

export async function findDelivery(manager: EntityManager, id: string): Promise<(DeliveryRow & { partner_id: string }) | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const { rows } = await sql<DeliveryRow & { partner_id: string }>(
    manager,
    `SELECT ${DELIVERY_COLUMNS}, e.partner_id FROM webhook_deliveries d JOIN event_outbox o ON o.id = d.outbox_id
       JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** Sends the delivery again: PENDING, due now (a delivered event keeps its webhook-id). */
export async function requeueDelivery(manager: EntityManager, id: string): Promise<void> {
  await sql(manager, `UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = now(), created_at = now() WHERE id = $1`, [id]);
}

/** Outbox events no one has fanned out yet, oldest first, locked for the caller's transaction (SKIP LOCKED: instances share the work). */
export async function claimUnfannedEvents(manager: EntityManager, limit: number): Promise<{ id: string; partner_id: string | null; member_id: string | null }[]> {
  const { rows } = await sql<{ id: string; partner_id: string | null; member_id: string | null }>(
    manager,
    'SELECT id::text, partner_id, member_id FROM event_outbox WHERE fanned_out_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
    [limit],
  );
  return rows;
}

/**
 * Fans the claimed events out: one delivery per ACTIVE endpoint subscribed to the type, of the event's own
 * partner or, for a member event (no partner), of a partner where the member earned, when the member is
 * among `sharingMembers` (consent to partner data sharing). Marks them fanned out.
 */
export async function fanOutEvents(manager: EntityManager, eventIds: readonly string[], sharingMembers: readonly string[]): Promise<void> {
  await sql(
    manager,
    `WITH ev AS (SELECT id, type, partner_id, member_id FROM event_outbox WHERE id = ANY($1::bigint[])),
     ins AS (
       INSERT INTO webhook_deliveries (endpoint_id, outbox_id, member_id)
       SELECT e.id, ev.id, ev.member_id FROM ev JOIN webhook_endpoints e ON e.status = 'ACTIVE' AND ev.type = ANY (e.events)
        WHERE (ev.partner_id IS NOT NULL AND e.partner_id = ev.partner_id)
           OR (ev.partner_id IS NULL AND ev.member_id = ANY ($2::uuid[]) AND EXISTS (
                SELECT 1 FROM transactions t WHERE t.member_id = ev.member_id AND t.partner_id = e.partner_id AND t.kind = 'EARN'))
        ORDER BY ev.id, e.id
       ON CONFLICT (endpoint_id, outbox_id) DO NOTHING
     )
     UPDATE event_outbox o SET fanned_out_at = now() FROM ev WHERE o.id = ev.id`,
    [[...eventIds], [...sharingMembers]],
  );
}

export interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  url: string;
  secret: string;
  member_id: string | null;
  event_id: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  attempts: number;
  created_at: Date;
}

/**
 * Claims up to `limit` due deliveries of ACTIVE endpoints for `leaseMs` (an instance that dies gives them
 * back when the lease runs out), skipping rows another instance is claiming. Per endpoint and member, a
 * delivery is claimed only when every earlier pending one of that member is claimed with it: the sender
 * sends a group in order and stops at its first failure, so a member's events arrive in order.
 */
export async function claimDueDeliveries(manager: EntityManager, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const { rows } = await sql<ClaimedDelivery>(
    manager,
    `WITH cand AS (
       SELECT d.id, d.endpoint_id, d.member_id FROM webhook_deliveries d
        WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
          AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.status = 'ACTIVE')
        ORDER BY d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED
     ), ok AS (
       SELECT c.id FROM cand c WHERE c.member_id IS NULL OR NOT EXISTS (
         SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = c.endpoint_id AND p.member_id = c.member_id AND p.status = 'PENDING'
            AND p.id < c.id AND p.id NOT IN (SELECT id FROM cand))
     ), leased AS (
       UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
         FROM ok WHERE d.id = ok.id RETURNING d.id, d.endpoint_id, d.outbox_id, d.member_id, d.attempts, d.created_at
     )
     SELECT l.id::text, l.endpoint_id, e.url, e.secret, l.member_id, o.event_id, o.type, o.payload, o.occurred_at, l.attempts, l.created_at
       FROM leased l JOIN webhook_endpoints e ON e.id = l.endpoint_id JOIN event_outbox o ON o.id = l.outbox_id
      ORDER BY l.id`,
    [limit, leaseMs],
  );
  return rows;
}

/** Delivered: one statement for the round's successes, and their endpoints' failure runs end. */
export async function markDeliveriesDelivered(manager: EntityManager, ids: readonly string[], statusCodes: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await sql(
    manager,
    `WITH done AS (
       UPDATE webhook_deliveries d SET status = 'DELIVERED', delivered_at = now(), last_attempt_at = now(), attempts = attempts + 1,
              last_status_code = s.code, last_error = NULL
         FROM unnest($1::bigint[], $2::int[]) AS s(id, code) WHERE d.id = s.id RETURNING d.endpoint_id
     )
     UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL
      WHERE id IN (SELECT endpoint_id FROM done) AND consecutive_failures > 0`,
    [[...ids], [...statusCodes]],
  );
}

/** A failed attempt: retried at `retryAt`, or FAILED when `retryAt` is null; the endpoint's failure run grows. */
export async function recordDeliveryFailure(
  manager: EntityManager,
  id: string,
  endpointId: string,
  error: string,
  statusCode: number | null,
  retryAt: Date | null,
): Promise<{ consecutive_failures: number; failing_since: Date }> {
  await sql(
    manager,
    `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(), last_error = $2, last_status_code = $3,
            status = CASE WHEN $4::timestamptz IS NULL THEN 'FAILED' ELSE 'PENDING' END, next_attempt_at = coalesce($4::timestamptz, next_attempt_at)
      WHERE id = $1`,
    [id, error.slice(0, 500), statusCode, retryAt],
  );
  const { rows } = await sql<{ consecutive_failures: number; failing_since: Date }>(
    manager,
    `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now())
      WHERE id = $1 RETURNING consecutive_failures, failing_since`,
    [endpointId],
  );
  return rows[0];
}

/** Gives a claimed delivery that was not tried (an earlier one of its member failed) back, due now. */
export async function releaseDeliveries(manager: EntityManager, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql(manager, `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = ANY($1::bigint[]) AND status = 'PENDING'`, [[...ids]]);
}

export async function disableEndpoint(manager: EntityManager, id: string, reason: string): Promise<void> {
  await sql(manager, `UPDATE webhook_endpoints SET status = 'DISABLED', disabled_at = now(), disabled_reason = $2 WHERE id = $1 AND status = 'ACTIVE'`, [
    id,
    reason.slice(0, 500),
  ]);
}

/** Outbox events not yet fanned out and deliveries due but not delivered: the webhook lag. */
export async function webhookBacklog(manager: EntityManager): Promise<{ unfanned: number; pending: number; oldestPendingSeconds: number }> {
  const { rows } = await sql<{ unfanned: string; pending: string; oldest: string | null }>(
    manager,
    `SELECT (SELECT count(*) FROM event_outbox WHERE fanned_out_at IS NULL)::text AS unfanned,
            (SELECT count(*) FROM webhook_deliveries WHERE status = 'PENDING')::text AS pending,
            (SELECT extract(epoch FROM now() - min(created_at)) FROM webhook_deliveries WHERE status = 'PENDING')::text AS oldest`,
  );
  return { unfanned: Number(rows[0].unfanned), pending: Number(rows[0].pending), oldestPendingSeconds: Number(rows[0].oldest ?? 0) };
}

export interface NoticeRow {
  id: string;
  member_id: string;
  type: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** A member's notices, newest first. */
export async function memberNotices(manager: EntityManager, memberId: string, limit: number): Promise<NoticeRow[]> {
  const { rows } = await sql<NoticeRow>(
    manager,
    'SELECT id::text, member_id, type, payload, created_at FROM member_notices WHERE member_id = $1 ORDER BY id DESC LIMIT $2',
    [memberId, limit],
  );
  return rows;
}

/**
 * points.expiring: one notice per member account and expiry day for lots with points left that expire
 * within `days` (a lot batch); a batch already noticed is skipped, so every sweeper instance may run it.
 */
export async function noticeExpiringLots(manager: EntityManager, days: number): Promise<number> {
  const { rowCount } = await sql(
    manager,
    `INSERT INTO member_notices (member_id, type, payload, notice_key)
     SELECT a.owner_id, 'points.expiring',
            jsonb_build_object('memberId', a.owner_id, 'points', sum(l.remaining), 'expiresAt', min(l.expires_at)),
            'points.expiring:' || l.account_id || ':' || to_char(l.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
       FROM lots l JOIN accounts a ON a.id = l.account_id AND a.kind = 'MEMBER'
      WHERE l.remaining > 0 AND l.expires_at > now() AND l.expires_at <= now() + make_interval(days => $1)
      GROUP BY a.owner_id, l.account_id, to_char(l.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
     ON CONFLICT (notice_key) DO NOTHING`,
    [days],
  );
  return rowCount;
}
