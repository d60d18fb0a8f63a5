import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Viewer } from '../src/auth';
import { AppError } from '../src/errors';
import { MemberLinkCache, resolveLinkedMember } from '../src/member-link';

const MEMBER = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

const viewer = (overrides: Partial<Viewer> = {}): Viewer => ({ subject: 'person-1', issuer: 'https://idp.example', scopes: new Set(['member']), token: 't', ...overrides });

afterEach(() => vi.useRealTimers());

describe('resolving a member token through its identity link', () => {
  it('gives a token without member_id the linked member, and leaves an unlinked one without a member', async () => {
    const links = new MemberLinkCache(async (v) => (v.subject === 'person-1' ? MEMBER : null));
    expect((await resolveLinkedMember(viewer(), links, 'r')).memberId).toBe(MEMBER);
    expect((await resolveLinkedMember(viewer({ subject: 'nobody' }), links, 'r')).memberId).toBeUndefined();
  });

  it('refuses a member_id claim that contradicts the link (UNAUTHENTICATED), and keeps an agreeing or unlinked one', async () => {
    const links = new MemberLinkCache(async (v) => (v.subject === 'person-1' ? MEMBER : null));
    const refusal = await resolveLinkedMember(viewer({ memberId: OTHER }), links, 'r').catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe('UNAUTHENTICATED');
    expect((await resolveLinkedMember(viewer({ memberId: MEMBER }), links, 'r')).memberId).toBe(MEMBER);
    expect((await resolveLinkedMember(viewer({ subject: 'legacy', memberId: OTHER }), links, 'r')).memberId).toBe(OTHER);
  });

  it('asks about member tokens of people only: partners, charities, service credentials and sign-up tokens pass untouched', async () => {
    const lookup = vi.fn(async () => MEMBER);
    const links = new MemberLinkCache(lookup);
    for (const v of [
      viewer({ scopes: new Set(['points:earn']), partnerId: OTHER }),
      viewer({ charityId: OTHER }),
      viewer({ service: true }),
      viewer({ scopes: new Set(['member:signup']) }),
    ]) {
      expect(await resolveLinkedMember(v, links, 'r')).toBe(v);
    }
    expect(lookup).not.toHaveBeenCalled();
  });

  it('remembers a link for the hit period and a miss only briefly, per (issuer, subject); concurrent lookups share one call', async () => {
    vi.useFakeTimers();
    let linked: string | null = null;
    const lookup = vi.fn(async () => linked);
    const links = new MemberLinkCache(lookup, { hitMs: 60_000, missMs: 2_000 });
    expect(await links.memberOf(viewer(), 'r')).toBeNull();
    linked = MEMBER; // the person signs up (in another process)
    expect(await links.memberOf(viewer(), 'r')).toBeNull(); // the miss, still remembered
    vi.advanceTimersByTime(2_001);
    expect(await links.memberOf(viewer(), 'r')).toBe(MEMBER);
    expect(lookup).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(59_000);
    expect(await links.memberOf(viewer(), 'r')).toBe(MEMBER);
    expect(lookup).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1_001);
    await links.memberOf(viewer(), 'r');
    expect(lookup).toHaveBeenCalledTimes(3);
    // Another issuer with the same subject is another identity.
    await links.memberOf(viewer({ issuer: 'https://other.example' }), 'r');
    expect(lookup).toHaveBeenCalledTimes(4);
    vi.useRealTimers();
    const slow = vi.fn(() => new Promise<string>((resolve) => setTimeout(() => resolve(MEMBER), 20)));
    const shared = new MemberLinkCache(slow);
    expect(await Promise.all(Array.from({ length: 5 }, () => shared.memberOf(viewer({ subject: 'busy' }), 'r')))).toEqual(Array(5).fill(MEMBER));
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('takes a link made in this process at once, replacing a remembered miss', async () => {
    const lookup = vi.fn(async () => null);
    const links = new MemberLinkCache(lookup);
    expect(await links.memberOf(viewer(), 'r')).toBeNull();
    links.linked('https://idp.example', 'person-1', MEMBER);
    expect(await links.memberOf(viewer(), 'r')).toBe(MEMBER);
    expect(lookup).toHaveBeenCalledTimes(1);
  });
});
