import { forbidden, isAdmin, requireMember, validate, type Logger, type Viewer } from '../../../../lib/src';
import { ChannelListener } from '../../../../lib/src/persistence/channel-listener';
import { hears, parseLiveEvent, type LiveAudience, type LiveEvent } from '../domain/live-event.rules';

/** The PostgreSQL channel the outbox trigger announces each committed event on (migration 1740300000000). */
export const LIVE_EVENTS_CHANNEL = 'hub_events';

/** Events a subscription may have waiting for a slow reader before it is ended (it re-subscribes and re-reads). */
const MAX_QUEUED = 1_000;

interface Subscriber {
  audience: LiveAudience;
  queue: LiveEvent[];
  /** The reader waiting for the next event, if any. */
  wake: (() => void) | null;
  ended: boolean;
}

export interface LiveEventsOptions {
  /** The database whose `hub_events` channel is listened to (this subgraph's own). */
  connectionString: string;
  logger: Logger;
  /** Wait before listening again after the connection is lost (ms). */
  retryMs?: number;
}

/**
 * Live updates for subscriptions: decides whose events a subscription hears (the queries' rules: a member
 * its own account, a partner its own business, the admin any partner's or all) and fans this process's
 * one LISTEN connection on `hub_events` out to its open subscriptions, in memory, in commit order.
 * Live and best effort: a subscription hears what commits while it is open; when the listening connection
 * is lost every open subscription ends (the client subscribes again and re-reads with a query).
 */
export class LiveEventsService {
  private readonly subscribers = new Set<Subscriber>();
  private listener: ChannelListener | null = null;
  private starting: Promise<void> | null = null;

  constructor(private readonly options: LiveEventsOptions) {}

  /** Open subscriptions in this process. */
  get open(): number {
    return this.subscribers.size;
  }

  /** `accountEvents`: a member token (or one linked to a member) hears its own account. FORBIDDEN for anyone else. */
  accountAudience(viewer: Viewer): LiveAudience {
    return { kind: 'member', memberId: requireMember(viewer) };
  }

  /**
   * `partnerEvents`: a partner's token hears its own business (naming another partner is FORBIDDEN, as for
   * its webhooks); the admin hears the partner it names, or every partner. FORBIDDEN for anyone else.
   */
  partnerAudience(viewer: Viewer, partnerId: string | null | undefined): LiveAudience {
    const named = partnerId == null ? null : validate.uuid('partnerId', partnerId);
    if (isAdmin(viewer)) return named ? { kind: 'partner', partnerId: named } : { kind: 'all' };
    if (!viewer.partnerId) throw forbidden('Requires a partner token or the admin');
    if (named && named !== viewer.partnerId) throw forbidden('A partner hears its own events only');
    return { kind: 'partner', partnerId: viewer.partnerId };
  }

  /**
   * The audience's events from now on, until `return()` (the client went away), `endsAt`, or the end of
   * listening.
   * Resolves once this process listens: every event committed after that is delivered.
   */
  async subscribe(audience: LiveAudience, options: { endsAt?: number } = {}): Promise<AsyncIterableIterator<LiveEvent>> {
    await this.listen();
    const subscriber: Subscriber = { audience, queue: [], wake: null, ended: false };
    this.subscribers.add(subscriber);
    let expiry: NodeJS.Timeout | undefined;
    const end = () => {
      clearTimeout(expiry);
      subscriber.ended = true;
      this.subscribers.delete(subscriber);
      subscriber.wake?.();
    };
    // Ends by itself at `endsAt` (the token's expiry): the client subscribes again with a fresh token.
    if (options.endsAt !== undefined) expiry = setTimeout(end, Math.max(0, Math.min(options.endsAt - Date.now(), 2_147_483_647))).unref();
    // A plain iterator, not an async generator: `return()` must end a reader waiting in `next()` at once.
    const iterator: AsyncIterableIterator<LiveEvent> = {
      next: async () => {
        while (subscriber.queue.length === 0 && !subscriber.ended) {
          await new Promise<void>((resolve) => (subscriber.wake = resolve));
          subscriber.wake = null;
        }
        const value = subscriber.queue.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      return: async () => {
        subscriber.queue.length = 0;
        end();
        return { value: undefined, done: true };
      },
      throw: async (error: unknown) => {
        end();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    await listener?.stop();
    this.endAll();
  }

  private deliver(text: string): void {
    const event = parseLiveEvent(text);
    if (!event) {
      this.options.logger.warn('live events: unreadable notice skipped');
      return;
    }
    for (const s of this.subscribers) {
      if (!hears(s.audience, event)) continue;
      if (s.queue.length >= MAX_QUEUED) {
        // A reader this far behind would show stale balances: it ends, and subscribes again.
        s.ended = true;
        this.subscribers.delete(s);
      } else {
        s.queue.push(event);
      }
      s.wake?.();
    }
  }

  /** Ends every open subscription (events may be missed from now on); they end once their queue is read. */
  private endAll(): void {
    for (const s of this.subscribers) {
      s.ended = true;
      s.wake?.();
    }
    this.subscribers.clear();
  }

  /** Starts the one listening connection on first use; throws when it cannot listen now. */
  private async listen(): Promise<void> {
    if (this.listener?.listening) return;
    this.starting ??= (async () => {
      this.listener ??= new ChannelListener({
        connectionString: this.options.connectionString,
        channel: LIVE_EVENTS_CHANNEL,
        onNotice: (payload) => this.deliver(payload),
        onLost: () => this.endAll(),
        logger: this.options.logger,
        retryMs: this.options.retryMs,
        applicationName: 'points-live-events',
      });
      await this.listener.start();
    })().finally(() => {
      this.starting = null;
    });
    await this.starting;
    if (!this.listener?.listening) throw new Error('live events: not listening on hub_events');
  }
}
