import { badInput } from '../../../../lib/src/errors';
import * as validate from '../../../../lib/src/validation';
import { DISPLAY_NAME_MAX } from './enrollment.rules';

/** The languages the coalition serves its members in: Norwegian Bokmål, Swedish, Danish, English. */
export const LANGUAGES = ['nb', 'sv', 'da', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The oldest plausible member, in years. */
export const MAX_AGE_YEARS = 120;

/** E.164: a plus, a country code not starting with 0, at most 15 digits in all (at least 8 here). */
const E164 = /^\+[1-9]\d{6,14}$/;

/** A phone number in E.164 (`+4791234567`); spaces, hyphens and parentheses a person types are dropped. */
export function phone(field: string, value: string): string {
  const compact = value.trim().replace(/[\s().-]/g, '');
  if (!E164.test(compact)) throw badInput(field, 'must be a phone number in E.164 form, such as +4791234567');
  return compact;
}

/** `nb`, `sv`, `da` or `en` (case-insensitive). */
export function language(field: string, value: string): Language {
  const code = value.trim().toLowerCase();
  if (!(LANGUAGES as readonly string[]).includes(code)) throw badInput(field, `must be one of ${LANGUAGES.join(', ')}`);
  return code as Language;
}

/** A real date `YYYY-MM-DD`, not in the future, at most MAX_AGE_YEARS years ago. */
export function birthDate(field: string, value: string, now = new Date()): string {
  const date = validate.pastDate(field, value, now);
  const oldest = new Date(Date.UTC(now.getUTCFullYear() - MAX_AGE_YEARS, now.getUTCMonth(), now.getUTCDate()));
  if (Date.parse(`${date}T00:00:00Z`) < oldest.getTime()) throw badInput(field, `must be a plausible birth date (at most ${MAX_AGE_YEARS} years ago)`);
  return date;
}

export interface ProfileInput {
  displayName?: string | null;
  email?: string | null;
  phone?: string | null;
  birthDate?: string | null;
  preferredLanguage?: string | null;
}

/** The changes a profile update asks for: absent fields stay as they are. */
export interface ProfileChanges {
  displayName?: string;
  email?: string;
  emailNormalized?: string;
  phone?: string;
  birthDate?: string;
  preferredLanguage?: Language;
}

/** Validates a profile update; BAD_USER_INPUT naming the first bad field. Nothing to change is bad input too. */
export function validateProfile(input: ProfileInput, now = new Date()): ProfileChanges {
  const changes: ProfileChanges = {};
  if (input.displayName != null) changes.displayName = validate.text('displayName', input.displayName, DISPLAY_NAME_MAX);
  if (input.email != null) {
    changes.email = validate.email('email', input.email);
    changes.emailNormalized = changes.email.toLowerCase();
  }
  if (input.phone != null) changes.phone = phone('phone', input.phone);
  if (input.birthDate != null) changes.birthDate = birthDate('birthDate', input.birthDate, now);
  if (input.preferredLanguage != null) changes.preferredLanguage = language('preferredLanguage', input.preferredLanguage);
  if (Object.keys(changes).length === 0) throw badInput('input', 'names nothing to change');
  return changes;
}
