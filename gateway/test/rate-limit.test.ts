import { describe, expect, it } from 'vitest';
import { budgetOf, clientAddress, MemoryRateLimitStore, RateLimiter, type RateLimits } from '../src/rate-limit';

const limits: RateLimits = { windowMs: 60_000, partner: 3, member: 2, other: 5, anonymous: 1 };
const viewer = (claims: { partnerId?: string; memberId?: string; charityId?: string; subject?: string; issuer?: string; scopes?: Set<string> }) => ({
  subject: claims.subject ?? 'sub',
  scopes: new Set<string>(),
  token: 't',
  ...claims,
});

describe('rate-limit budgets', () => {
  it('charge a partner, a member, a charity or a subject, and an address for requests without a valid token', () => {
    expect(budgetOf(viewer({ partnerId: 'p1', subject: 'till-7' }), '10.0.0.1', limits)).toEqual({ key: 'partner:p1', limit: 3 });
    expect(budgetOf(viewer({ memberId: 'm1' }), '10.0.0.1', limits)).toEqual({ key: 'member:m1', limit: 2 });
    expect(budgetOf(viewer({ charityId: 'c1' }), '10.0.0.1', limits)).toEqual({ key: 'charity:c1', limit: 5 });
    // A signed-up member's token names no member_id: its identity is the member's budget.
    expect(budgetOf(viewer({ subject: 'u-1', issuer: 'https://idp', scopes: new Set(['member']) }), '10.0.0.1', limits)).toEqual({ key: 'identity:https://idp|u-1', limit: 2 });
    expect(budgetOf(viewer({ subject: 'operator' }), '10.0.0.1', limits)).toEqual({ key: 'sub:operator', limit: 5 });
    expect(budgetOf(undefined, '10.0.0.1', limits)).toEqual({ key: 'ip:10.0.0.1', limit: 1 });
  });

  it('share one budget between all clients of a partner, and count each partner apart', async () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(), limits);
    const results = [];
    for (const subject of ['till-1', 'till-2', 'shop', 'till-1']) results.push((await limiter.check(viewer({ partnerId: 'p1', subject }), 'x')).allowed);
    expect(results).toEqual([true, true, true, false]);
    expect((await limiter.check(viewer({ partnerId: 'p2' }), 'x')).allowed).toBe(true);
  });

  it('treat a limit of 0 as unlimited', async () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(), { ...limits, member: 0 });
    for (let i = 0; i < 50; i++) expect((await limiter.check(viewer({ memberId: 'm1' }), 'x')).allowed).toBe(true);
  });

  it('start a new window when the old one ends, and say when that is', async () => {
    const store = new MemoryRateLimitStore();
    expect(await store.hit('k', 200)).toMatchObject({ count: 1 });
    const second = await store.hit('k', 200);
    expect(second.count).toBe(2);
    expect(second.resetMs).toBeGreaterThan(0);
    expect(second.resetMs).toBeLessThanOrEqual(200);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.hit('k', 200)).toMatchObject({ count: 1 });
  });
});

describe('client address', () => {
  it('is the socket peer unless proxies are trusted, then the entry the outermost trusted proxy appended', () => {
    expect(clientAddress('6.6.6.6', '10.0.0.2', 0)).toBe('10.0.0.2');
    expect(clientAddress('6.6.6.6, 203.0.113.9', '10.0.0.2', 1)).toBe('203.0.113.9');
    expect(clientAddress('6.6.6.6, 203.0.113.9, 10.0.0.7', '10.0.0.2', 2)).toBe('203.0.113.9');
    expect(clientAddress(null, '10.0.0.2', 1)).toBe('10.0.0.2');
  });
});
