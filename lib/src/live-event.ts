/**
 * Live updates, both ends of one channel: the points subgraph's outbox trigger announces each committed event
 * on PostgreSQL's `hub_events` channel (migration 1740300000000); the points subgraph's subscriptions
 * (`accountEvents`, `partnerEvents`) and the gateway's `GET /events/stream` hear it. What one announcement
 * looks like, how it is read, and who may hear it.
 */

/** One event as announced on the `hub_events` channel: the outbox row's id, type, member, partner and payload. */
export interface LiveEvent {
  id: number;
  type: string;
  memberId: string | null;
  partnerId: string | null;
  occurredAt: string;
  /** What the event's partner may read (the webhook payload); absent when too large for a notice. */
  payload?: Record<string, unknown>;
}

/** Who a stream is for: one member's own account, one partner's own business, or (admin) every partner's. */
export type LiveAudience = { kind: 'member'; memberId: string } | { kind: 'partner'; partnerId: string } | { kind: 'all' };

/** A member hears its own account's events, a partner those of its own business; nobody another's. */
export function hears(audience: LiveAudience, event: LiveEvent): boolean {
  if (audience.kind === 'all') return true;
  if (audience.kind === 'member') return event.memberId === audience.memberId;
  return event.partnerId === audience.partnerId;
}

/** An announcement as PostgreSQL delivers it, or null when it is not one (never thrown: a bad notice is skipped). */
export function parseLiveEvent(text: string): LiveEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const e = value as Partial<LiveEvent> | null;
  if (!e || typeof e !== 'object' || typeof e.id !== 'number' || typeof e.type !== 'string' || typeof e.occurredAt !== 'string') return null;
  const id = (v: unknown) => (typeof v === 'string' ? v : null);
  const payload = e.payload && typeof e.payload === 'object' && !Array.isArray(e.payload) ? e.payload : undefined;
  return { id: e.id, type: e.type, memberId: id(e.memberId), partnerId: id(e.partnerId), occurredAt: e.occurredAt, ...(payload ? { payload } : {}) };
}
