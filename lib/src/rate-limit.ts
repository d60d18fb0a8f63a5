/**
 * Rate limits by caller, in fixed windows: the gateway's (auth.plugin.ts) and each subgraph's own port
 * (server.ts) use the same budgets and stores. Counters live in the process, or in Redis with `REDIS_URL`.
 */
import Redis from 'ioredis';
import { type Viewer } from './auth';
import { type Logger } from './logger';

/** Requests allowed per window for each kind of caller; 0 means unlimited. */
export interface RateLimits {
  windowMs: number;
  /** Per `partner_id`: every client of one partner shares one budget. */
  partner: number;
  /** Per `member_id`. */
  member: number;
  /** Per `charity_id`, or per `sub` for tokens naming none of them (the operator). */
  other: number;
  /** Per client address, for requests without a valid token. */
  anonymous: number;
}

export interface RateVerdict {
  allowed: boolean;
  /** Milliseconds until the caller's window resets. */
  resetMs: number;
}

/** Counts hits in fixed windows. Implementations must be atomic across every instance that shares them. */
export interface RateLimitStore {
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  close(): Promise<void>;
}

/** One process's counters; expired windows are swept as they are met and once per window. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private sweptAt = 0;

  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const now = Date.now();
    if (now - this.sweptAt > windowMs) {
      for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
      this.sweptAt = now;
    }
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetMs: window.resetAt - now };
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}

/**
 * Increments the key and starts its window on the first hit, in one atomic script, so instances never
 * race between INCR and PEXPIRE; the window is timed by Redis, not by any instance's clock. A key that
 * somehow lost its expiry gets one again rather than counting forever.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

type HubRedis = Redis & { hubRateHit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * Counters in Redis, shared by every gateway instance using the same `REDIS_URL`. When Redis cannot
 * answer within its command timeout, the hit is counted in this process instead (fail open to a
 * per-instance budget, logged at most once a minute): an outage of the limiter must not stop the hub.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: HubRedis;
  private readonly fallback = new MemoryRateLimitStore();
  private warnedAt = 0;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly prefix = 'hub:rate:',
  ) {
    this.redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500 }) as HubRedis;
    this.redis.defineCommand('hubRateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.redis.on('error', (error: unknown) => this.warn('redis error', error));
  }

  async connect(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (error) {
      this.warn('redis unreachable at start; rate limits count per instance until it answers', error);
    }
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    try {
      const [count, ttl] = await this.redis.hubRateHit(this.prefix + key, windowMs);
      return { count: Number(count), resetMs: Number(ttl) };
    } catch (error) {
      this.warn('redis rate limit failed; counting in this instance', error);
      return this.fallback.hit(key, windowMs);
    }
  }

  async close(): Promise<void> {
    await this.fallback.close();
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
  }

  private warn(message: string, error: unknown): void {
    if (Date.now() - this.warnedAt < 60_000) return;
    this.warnedAt = Date.now();
    this.logger.warn(message, { error });
  }
}

/** Which budget a request draws on: the partner, the member, the charity or subject, or the address. */
export function budgetOf(viewer: Viewer | undefined, address: string, limits: RateLimits): { key: string; limit: number } {
  if (!viewer) return { key: `ip:${address}`, limit: limits.anonymous };
  if (viewer.partnerId) return { key: `partner:${viewer.partnerId}`, limit: limits.partner };
  if (viewer.memberId) return { key: `member:${viewer.memberId}`, limit: limits.member };
  // A member token without a member_id claim (an identity linked at sign-up, member-link.ts): the gateway does
  // not resolve the link, so the identity itself is the member's budget, at the member's limit.
  if (viewer.scopes.has('member') && !viewer.charityId) return { key: `identity:${viewer.issuer ?? ''}|${viewer.subject}`, limit: limits.member };
  if (viewer.charityId) return { key: `charity:${viewer.charityId}`, limit: limits.other };
  return { key: `sub:${viewer.subject}`, limit: limits.other };
}

export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly limits: RateLimits,
  ) {}

  async check(viewer: Viewer | undefined, address: string): Promise<RateVerdict> {
    const { key, limit } = budgetOf(viewer, address, this.limits);
    if (limit === 0) return { allowed: true, resetMs: 0 };
    const { count, resetMs } = await this.store.hit(key, this.limits.windowMs);
    return { allowed: count <= limit, resetMs };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/**
 * The caller's address: the socket's peer, or with `trustedHops` proxies in front (each appending to
 * X-Forwarded-For), the entry the outermost trusted proxy appended. Entries further left are the
 * client's own claims and are ignored.
 */
export function clientAddress(forwardedFor: string | null, socketAddress: string | undefined, trustedHops: number): string {
  if (trustedHops > 0 && forwardedFor) {
    const hops = forwardedFor.split(',').map((s) => s.trim()).filter(Boolean);
    const entry = hops[hops.length - trustedHops];
    if (entry) return entry;
  }
  return socketAddress ?? 'unknown';
}

/** The rate-limit settings as parsed from `rateLimitEnv` (and `REDIS_URL`, where a process reads it). */
export interface RateLimitSettings {
  RATE_LIMIT_ENABLED: boolean;
  RATE_LIMIT_WINDOW_MS: number;
  RATE_LIMIT_PARTNER: number;
  RATE_LIMIT_MEMBER: number;
  RATE_LIMIT_OTHER: number;
  RATE_LIMIT_ANONYMOUS: number;
  REDIS_URL?: string;
}

/** The budgets the settings give, each multiplied by `factor` (0, unlimited, stays 0). */
export function rateLimitsFromEnv(env: RateLimitSettings, factor = 1): RateLimits {
  return {
    windowMs: env.RATE_LIMIT_WINDOW_MS,
    partner: env.RATE_LIMIT_PARTNER * factor,
    member: env.RATE_LIMIT_MEMBER * factor,
    other: env.RATE_LIMIT_OTHER * factor,
    anonymous: env.RATE_LIMIT_ANONYMOUS * factor,
  };
}

/**
 * A limiter from the settings: undefined when `RATE_LIMIT_ENABLED` is false; counting in Redis under
 * `prefix` when `REDIS_URL` is set (each process kind its own prefix, so budgets are not shared between the
 * gateway and a subgraph), in this process otherwise.
 */
export async function createRateLimiter(env: RateLimitSettings, logger: Logger, options: { factor?: number; prefix?: string } = {}): Promise<RateLimiter | undefined> {
  if (!env.RATE_LIMIT_ENABLED) return undefined;
  const limits = rateLimitsFromEnv(env, options.factor);
  if (!env.REDIS_URL) return new RateLimiter(new MemoryRateLimitStore(), limits);
  const store = new RedisRateLimitStore(env.REDIS_URL, logger, options.prefix);
  await store.connect();
  return new RateLimiter(store, limits);
}
