import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Client } from 'pg';
import { AppError, isAdmin, tokenExpiresAt, type Logger, type TokenVerifier, type Viewer } from '../../lib/src';
import { hears, parseLiveEvent, type LiveAudience, type LiveEvent } from '../../lib/src/live-event';
import { type GatewayFetch } from './reports/serve';

/** The PostgreSQL channel the points subgraph announces each outbox event on (migration 1740300000000). */
export const EVENTS_CHANNEL = 'hub_events';

/** Who a stream is for: one member's own events, one partner's own events, or (admin) all. */
type Audience = LiveAudience;

interface Subscriber {
  audience: Audience;
  res: ServerResponse;
  /** For a member: the member's balance after the event, read through the gateway with the member's token. */
  balance?: () => Promise<unknown>;
  /** Events still being written to this stream, in order. */
  queue: Promise<void>;
}

export interface LiveEventsOptions {
  /** The database the points subgraph's outbox lives in (only its channel is listened to; no table is read). */
  databaseUrl: string | undefined;
  verifier: TokenVerifier;
  logger: Logger;
  /** Seconds between keep-alive comments on an idle stream. */
  heartbeatSeconds?: number;
}

export interface LiveEvents {
  /** Serves `GET /events/stream`; false when the path is another one. */
  serve(req: IncomingMessage, res: ServerResponse, execute: GatewayFetch): Promise<boolean>;
  /** Open streams (for tests and metrics). */
  readonly subscribers: number;
  close(): Promise<void>;
}

export const EVENTS_PATH = '/events/stream';


function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const STATUS_BY_CODE: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, RATE_LIMITED: 429 };

/**
 * Live updates over Server-Sent Events: `GET /events/stream` with the Bearer token. A member hears its own
 * account's events (points earned, redeemed, reversed, holds, notices), each with the balance after it; a
 * partner with a partner token hears its own events (what happened at its tills); the admin hears all.
 * Authorization is the queries': the caller's token goes through this gateway once (`me { id }` for a
 * member, `viewerPartner { id }` for a partner), so the same verification, identity link, rate limit and
 * subgraph checks decide, and the member's balance is read the same way after each event.
 *
 * Fed by PostgreSQL LISTEN on `hub_events`, which the points subgraph's outbox trigger notifies in the
 * fact's own transaction: one listening connection per gateway process, fanned out in memory to its
 * streams. Live and best effort: a stream that was not connected misses events (`id:` is the outbox id;
 * the webhooks are the at-least-once channel, the queries the record).
 */
export function createLiveEvents(options: LiveEventsOptions): LiveEvents {
  const subscribers = new Set<Subscriber>();
  const heartbeatMs = (options.heartbeatSeconds ?? 15) * 1000;
  let client: Client | null = null;
  let connecting: Promise<Client> | null = null;
  let closed = false;
  let heartbeat: NodeJS.Timeout | null = null;

  const deliver = (event: LiveEvent) => {
    for (const s of subscribers) {
      if (!hears(s.audience, event)) continue;
      // One after another per stream: a member's balance reads must not reorder its events.
      s.queue = s.queue.then(async () => {
        const data: Record<string, unknown> = { ...event };
        if (s.balance) data.balance = await s.balance().catch(() => null);
        if (!s.res.writableEnded) s.res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
      });
    }
  };

  const listen = (): Promise<Client> => {
    if (client) return Promise.resolve(client);
    if (connecting) return connecting;
    connecting = (async () => {
      const c = new Client({ connectionString: options.databaseUrl, application_name: 'gateway-live-events' });
      c.on('error', (error) => {
        options.logger.warn('live events: listening connection lost', { error: error.message });
        if (client === c) client = null;
        void c.end().catch(() => undefined);
        // Streams stay open; the next connect (a new stream, or the retry below) listens again.
        if (!closed && subscribers.size > 0) setTimeout(() => void listen().catch(() => undefined), 1000).unref();
      });
      c.on('notification', (message) => {
        if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
        const event = parseLiveEvent(message.payload);
        if (event) deliver(event);
        else options.logger.warn('live events: unreadable notification skipped');
      });
      await c.connect();
      await c.query(`LISTEN ${EVENTS_CHANNEL}`);
      client = c;
      return c;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  /** The audience the caller's token entitles it to, asked through the gateway with that token. */
  const audienceOf = async (viewer: Viewer, req: IncomingMessage, res: ServerResponse, execute: GatewayFetch, authorization: string): Promise<Audience> => {
    if (isAdmin(viewer)) return { kind: 'all' };
    const ask = async (document: string): Promise<Record<string, { id: string } | null>> => {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', authorization };
      const response = await execute(new Request('http://gateway.internal/graphql', { method: 'POST', headers, body: JSON.stringify({ query: document }) }), { req, res });
      const body = (await response.json().catch(() => null)) as { data?: Record<string, { id: string } | null>; errors?: { message: string; extensions?: { code?: string } }[] } | null;
      const error = body?.errors?.[0];
      if (error || !body?.data) throw new AppError((error?.extensions?.code ?? 'INTERNAL') as never, error?.message ?? 'Internal error');
      return body.data;
    };
    if (viewer.scopes.has('member')) {
      const me = (await ask('query LiveEventsViewer { me { id } }')).me;
      if (me) return { kind: 'member', memberId: me.id };
    } else if (viewer.partnerId) {
      const partner = (await ask('query LiveEventsPartner { viewerPartner { id } }')).viewerPartner;
      if (partner) return { kind: 'partner', partnerId: partner.id };
    }
    throw new AppError('FORBIDDEN', 'Live updates are for a member, a partner or the admin');
  };

  return {
    get subscribers() {
      return subscribers.size;
    },
    async serve(req, res, execute) {
      const url = new URL(req.url ?? '/', 'http://gateway.internal');
      if (url.pathname !== EVENTS_PATH) return false;
      req.resume();
      if (req.method !== 'GET') {
        sendError(res, 405, 'BAD_USER_INPUT', 'Use GET', { allow: 'GET' });
        return true;
      }
      const authorization = req.headers.authorization;
      if (!authorization || !/^Bearer\s+\S+$/i.test(authorization)) {
        sendError(res, 401, 'UNAUTHENTICATED', 'A Bearer token is required', { 'www-authenticate': 'Bearer' });
        return true;
      }
      let audience: Audience;
      try {
        const viewer = await options.verifier.verify(authorization);
        audience = await audienceOf(viewer, req, res, execute, authorization);
      } catch (error) {
        const code = error instanceof AppError ? error.code : 'UNAUTHENTICATED';
        sendError(res, STATUS_BY_CODE[code] ?? 500, code, error instanceof AppError ? error.message : 'Invalid token');
        return true;
      }
      if (!options.databaseUrl) {
        sendError(res, 503, 'INTERNAL', 'Live updates are not configured (EVENTS_DATABASE_URL)');
        return true;
      }
      try {
        await listen();
      } catch (error) {
        options.logger.error('live events: cannot listen', { error: (error as Error).message });
        sendError(res, 503, 'INTERNAL', 'Live updates are unavailable');
        return true;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const subscriber: Subscriber = { audience, res, queue: Promise.resolve() };
      if (audience.kind === 'member') {
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', authorization };
        subscriber.balance = async () => {
          const response = await execute(
            new Request('http://gateway.internal/graphql', { method: 'POST', headers, body: JSON.stringify({ query: 'query LiveEventsBalance { me { points { balance available pending } } }' }) }),
            { req, res },
          );
          const body = (await response.json()) as { data?: { me?: { points?: unknown } | null } };
          return body.data?.me?.points ?? null;
        };
      }
      subscribers.add(subscriber);
      // The stream lasts as long as the token: it ends when the token expires (reconnect with a fresh one).
      const expiresIn = tokenExpiresAt(authorization) - Date.now();
      const expiry = setTimeout(() => res.end(), Math.max(0, Math.min(expiresIn, 2_147_483_647))).unref();
      // `ready` says the stream listens: every event committed from now on is sent.
      res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify(audience)}\n\n`);
      heartbeat ??= setInterval(() => {
        for (const s of subscribers) s.res.write(': keep-alive\n\n');
      }, heartbeatMs).unref();
      const drop = () => {
        clearTimeout(expiry);
        subscribers.delete(subscriber);
        if (subscribers.size === 0 && heartbeat) {
          clearInterval(heartbeat);
          heartbeat = null;
        }
      };
      res.on('close', drop);
      req.on('close', drop);
      return true;
    },
    async close() {
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      for (const s of subscribers) s.res.end();
      subscribers.clear();
      const c = client ?? (connecting ? await connecting.catch(() => null) : null);
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
