import { type Viewer } from './auth';
import { unauthenticated } from './errors';

/**
 * Identity links: a person who signed up (`signUp`, members subgraph) has their token's (`iss`, `sub`)
 * linked to their member, so the identity provider never needs to know the hub's member ids. The members
 * subgraph owns the links; every subgraph resolves a member token through them on its own (zero trust: no
 * subgraph takes another's word in a header), the members subgraph from its table, the others by asking it
 * with the caller's own token.
 */

/** Where a subgraph learns which member an identity is linked to: null when none. */
export type MemberLinkLookup = (viewer: Viewer, requestId: string) => Promise<string | null>;

export interface MemberLinkCacheOptions {
  /** How long a found link is remembered (ms). */
  hitMs?: number;
  /** How long "no link" is remembered (ms): short, since a sign-up may follow at any moment. */
  missMs?: number;
  capacity?: number;
}

export const MEMBER_LINK_HIT_MS = 60_000;
export const MEMBER_LINK_MISS_MS = 2_000;

const identityKey = (issuer: string, subject: string): string => `${issuer}\n${subject}`;

/**
 * The links one process has looked up, per (issuer, subject), bounded in age and size; concurrent lookups
 * of one identity share one call. A link, once made, only ever goes away by erasure, which the hit period
 * bounds.
 */
export class MemberLinkCache {
  private readonly entries = new Map<string, { memberId: string | null; until: number }>();
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly hitMs: number;
  private readonly missMs: number;
  private readonly capacity: number;
  /** Lookups that reached the source (tests measure the cache with it). */
  lookups = 0;

  constructor(
    private readonly lookup: MemberLinkLookup,
    options: MemberLinkCacheOptions = {},
  ) {
    this.hitMs = options.hitMs ?? MEMBER_LINK_HIT_MS;
    this.missMs = options.missMs ?? MEMBER_LINK_MISS_MS;
    this.capacity = options.capacity ?? 10_000;
  }

  async memberOf(viewer: Viewer, requestId: string): Promise<string | null> {
    const key = identityKey(viewer.issuer ?? '', viewer.subject);
    const cached = this.entries.get(key);
    if (cached && Date.now() < cached.until) return cached.memberId;
    const running = this.pending.get(key);
    if (running) return running;
    const lookup = (async () => {
      this.lookups++;
      const memberId = await this.lookup(viewer, requestId);
      this.remember(key, memberId);
      return memberId;
    })().finally(() => this.pending.delete(key));
    this.pending.set(key, lookup);
    return lookup;
  }

  /** Records a link this process just made (sign-up), replacing a cached miss. */
  linked(issuer: string, subject: string, memberId: string): void {
    this.remember(identityKey(issuer, subject), memberId);
  }

  /** Forgets an identity (a link removed by erasure in this process). */
  forget(issuer: string, subject: string): void {
    this.entries.delete(identityKey(issuer, subject));
  }

  private remember(key: string, memberId: string | null): void {
    const ttl = memberId ? this.hitMs : this.missMs;
    if (ttl <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { memberId, until: Date.now() + ttl });
  }
}

/**
 * The viewer a member token acts as. Only people's tokens with the `member` scope and no partner or
 * charity claim are resolved; others pass unchanged. Without a `member_id` claim the link supplies the
 * member (none: the viewer stays without one, and member operations answer FORBIDDEN as before). With the
 * claim, a link to another member is a contradiction between the token and the hub: UNAUTHENTICATED.
 */
export async function resolveLinkedMember(viewer: Viewer, links: MemberLinkCache, requestId: string): Promise<Viewer> {
  if (viewer.service || !viewer.scopes.has('member') || viewer.partnerId || viewer.charityId) return viewer;
  const linked = await links.memberOf(viewer, requestId);
  if (viewer.memberId) {
    if (linked && linked !== viewer.memberId) throw unauthenticated('Token claim rejected: member_id does not match the identity linked to a member');
    return viewer;
  }
  return linked ? { ...viewer, memberId: linked } : viewer;
}
