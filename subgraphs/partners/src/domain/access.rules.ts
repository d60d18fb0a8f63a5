import { type Viewer } from '../../../../lib/src/auth';
import { forbidden } from '../../../../lib/src/errors';
import { isAdmin } from '../../../../lib/src/viewer';

/**
 * Who may do what with a partner's private objects (terms, stores, the unpublished part of its
 * catalogue). Another partner's object answers exactly like a missing one, so callers turn `false`
 * into NOT_FOUND or null, never FORBIDDEN.
 */

/** Terms, stores and unpublished offers are visible to the partner itself and the admin. */
export function canSeePrivate(viewer: Viewer, partnerId: string): boolean {
  return isAdmin(viewer) || viewer.partnerId === partnerId;
}

/**
 * Stores and offers are managed by the admin, or by the partner's own token carrying `points:earn`
 * (the scope that already lets a partner run its own campaigns). Tokens with only lookup, enroll,
 * redeem or reports scopes cannot change the catalogue. FORBIDDEN otherwise.
 */
export function requireCatalogueManager(viewer: Viewer): void {
  if (isAdmin(viewer)) return;
  if (!viewer.partnerId || !viewer.scopes.has('points:earn')) {
    throw forbidden('Requires admin, or a partner token with scope points:earn for its own stores and offers');
  }
}

/** Whether this (already authorised) manager may change objects of `partnerId`. */
export function manages(viewer: Viewer, partnerId: string): boolean {
  return isAdmin(viewer) || viewer.partnerId === partnerId;
}
