import { badInput } from '../../../../lib/src/errors';

/** Where a consent change came from: the member's sign-up, the member's own change, or a till's enrolment. */
export type ConsentSource = 'SIGN_UP' | 'SET_CONSENTS' | 'ENROLMENT';

/** What the member has agreed to. A member who never accepted terms (enrolled before consents) has none. */
export interface ConsentState {
  termsVersion: string | null;
  marketing: boolean;
  partnerDataSharing: boolean;
}

/** Privacy by default: nothing agreed until the member (or the till, for them) says so. */
export const NO_CONSENT: ConsentState = { termsVersion: null, marketing: false, partnerDataSharing: false };

const TERMS_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

export function termsVersion(field: string, value: string): string {
  const trimmed = value.trim();
  if (!TERMS_VERSION.test(trimmed)) throw badInput(field, 'must be 1 to 32 letters, digits, dots, hyphens or underscores, such as 2026-01');
  return trimmed;
}

export interface ConsentChange {
  termsVersion?: string | null;
  marketing?: boolean | null;
  partnerDataSharing?: boolean | null;
}

/**
 * The state after `change` (absent fields keep `current`), with `prefix` naming fields in errors (`consents.`
 * inside a sign-up). A terms version, once accepted, is replaced by a newer acceptance, never withdrawn.
 */
export function applyConsentChange(current: ConsentState, change: ConsentChange, prefix = ''): ConsentState {
  return {
    termsVersion: change.termsVersion != null ? termsVersion(`${prefix}termsVersion`, change.termsVersion) : current.termsVersion,
    marketing: change.marketing ?? current.marketing,
    partnerDataSharing: change.partnerDataSharing ?? current.partnerDataSharing,
  };
}

export const sameConsents = (a: ConsentState, b: ConsentState): boolean =>
  a.termsVersion === b.termsVersion && a.marketing === b.marketing && a.partnerDataSharing === b.partnerDataSharing;
