import { BlockList, isIP } from 'node:net';

/**
 * Rules of partner webhooks (contract: "Events for partners"): which event types exist, which URLs may
 * receive them, which addresses are public (no SSRF), and when a failed delivery is tried again.
 */

/** Event types a partner may subscribe to. Each is written to the outbox in the transaction of its fact. */
export const WEBHOOK_EVENT_TYPES = [
  'points.earned',
  'points.redeemed',
  'points.reversed',
  'hold.captured',
  'hold.voided',
  'hold.expired',
  'member.tier_changed',
  'points.expiring',
  'member.enrolled',
] as const;

/** Member events: no partner's fact; they go to the member's partners (where the member earned). */
export const MEMBER_EVENT_TYPES = ['member.tier_changed', 'points.expiring'] as const;

/** Where a URL may point: in production only https to public addresses; in development also http on loopback. */
export interface UrlPolicy {
  production: boolean;
}

export type UrlProblem = string | null;

/** What is wrong with the URL's shape (before any address is resolved), or null. */
export function urlShapeProblem(raw: string, policy: UrlPolicy): UrlProblem {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (raw.length > 2048) return 'is longer than 2048 characters';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && !policy.production) return null;
  return policy.production ? 'must use https' : 'must use https (or http on loopback outside production)';
}

const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) nonPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) nonPublic.addSubnet(net, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address it carries. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function isPublicAddress(address: string): boolean {
  if (isIP(address) === 0) return false;
  const a = normalise(address);
  return !nonPublic.check(a.address, a.family);
}

export function isLoopbackAddress(address: string): boolean {
  if (isIP(address) === 0) return false;
  const a = normalise(address);
  return loopback.check(a.address, a.family);
}

/**
 * What is wrong with delivering `url` to these resolved addresses, or null: in production every address
 * must be public (a name resolving to one private address is refused: the connection could go there); in
 * development https may go anywhere and http only to loopback.
 */
export function addressProblem(url: URL, addresses: readonly string[], policy: UrlPolicy): UrlProblem {
  if (addresses.length === 0) return 'does not resolve';
  if (policy.production) {
    const bad = addresses.find((a) => !isPublicAddress(a));
    return bad ? `resolves to a non-public address (${bad})` : null;
  }
  if (url.protocol === 'http:' && !addresses.every(isLoopbackAddress)) return 'http is accepted on loopback only';
  return null;
}

/** Retry timing: exponential from `baseMs`, capped at `capMs`, with jitter (50% to 100% of the step). */
export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** A delivery is retried until this long after its event was fanned out, then FAILED. */
  windowMs: number;
}

export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40));
  return Math.round(step / 2 + (step / 2) * random());
}

/** An endpoint is disabled after `failures` failed attempts in a row spanning at least `afterMs`. */
export interface DisablePolicy {
  failures: number;
  afterMs: number;
}

export function shouldDisable(consecutiveFailures: number, failingSince: Date, now: Date, policy: DisablePolicy): boolean {
  return consecutiveFailures >= policy.failures && now.getTime() - failingSince.getTime() >= policy.afterMs;
}
