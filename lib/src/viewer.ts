import { type Scope, type Viewer } from './auth';
import { forbidden } from './errors';

/**
 * Who the viewer is and what it may do, as pure predicates on a verified Viewer. Kept apart from the
 * token verifier (auth.ts, which loads jose) so that domain rules can import them alone.
 */

export const isAdmin = (viewer: Viewer): boolean => viewer.scopes.has('admin');

/** The viewer is this member acting as themself: the `member_id` claim and the `member` scope together. */
export const isSelf = (viewer: Viewer, memberId: string): boolean => viewer.memberId === memberId && viewer.scopes.has('member');

/** Passes when the viewer is admin or holds any of `scopes`; FORBIDDEN otherwise. */
export function requireScope(viewer: Viewer, ...scopes: Scope[]): void {
  if (isAdmin(viewer)) return;
  if (!scopes.some((s) => viewer.scopes.has(s))) throw forbidden(`Requires scope: ${scopes.join(' or ')}`);
}

/** A partner operation: the token must carry `partner_id` and `scope`. Returns the partner id. */
export function requirePartner(viewer: Viewer, scope: Scope): string {
  if (!viewer.partnerId || !viewer.scopes.has(scope)) throw forbidden(`Requires a partner token with scope ${scope}`);
  return viewer.partnerId;
}

/** A member operation: the token must carry `member_id` and the `member` scope. Returns the member id. */
export function requireMember(viewer: Viewer): string {
  if (!viewer.memberId || !viewer.scopes.has('member')) throw forbidden('Requires a member token');
  return viewer.memberId;
}

export function requireAdmin(viewer: Viewer): void {
  if (!isAdmin(viewer)) throw forbidden('Requires scope: admin');
}
