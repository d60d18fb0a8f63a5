import { badInput } from './errors';

/** Input checks shared by every subgraph. Each names the offending field, as the contract requires. */

// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A practical subset of RFC 5321/5322: local part, one @, a dotted domain with a 2+ letter TLD.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;

/** Trims `value` and checks it is 1..max characters with no control characters. */
export function text(field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badInput(field, 'must not be empty');
  if (trimmed.length > max) throw badInput(field, `must be at most ${max} characters`);
  if (CONTROL.test(trimmed)) throw badInput(field, 'must not contain control characters');
  return trimmed;
}

export function email(field: string, value: string): string {
  const trimmed = text(field, value, 254);
  const local = trimmed.split('@')[0] ?? '';
  if (!EMAIL.test(trimmed) || local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw badInput(field, 'must be a valid email address');
  }
  return trimmed;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function uuid(field: string, value: string): string {
  if (!UUID.test(value)) throw badInput(field, 'must be a valid id');
  return value.toLowerCase();
}

/** A calendar date `YYYY-MM-DD` that exists, not in the future, and not before 1900. */
export function pastDate(field: string, value: string, now = new Date()): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : undefined;
  if (!match || !date || date.getUTCMonth() !== +match[2] - 1 || date.getUTCDate() !== +match[3]) {
    throw badInput(field, 'must be a date YYYY-MM-DD');
  }
  if (date.getTime() > now.getTime() || +match[1] < 1900) throw badInput(field, 'must be a past date after 1900');
  return value;
}

/** An `Int` of points: whole, at least `min`, and below 2^31. */
export function points(field: string, value: number, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min || value > 2_147_483_647) {
    throw badInput(field, `must be a whole number of at least ${min}`);
  }
  return value;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 time with a zone (`2026-12-01T00:00:00Z`), between the years 2000 and 9999. */
export function instant(field: string, value: string): Date {
  const time = INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw badInput(field, 'must be an ISO 8601 time with a zone, such as 2026-12-01T00:00:00Z');
  const date = new Date(time);
  if (date.getUTCFullYear() < 2000 || date.getUTCFullYear() > 9999) throw badInput(field, 'must be between the years 2000 and 9999');
  return date;
}

const REGIONS = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
/** Region codes CLDR names that are not ISO 3166-1 countries (groupings, reservations, "unknown"). */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'QO', 'UK', 'UN', 'ZZ']);

/** An ISO 3166-1 alpha-2 country code that exists (`NO`, `SE`); lower case is accepted and upper-cased. */
export function country(field: string, value: string): string {
  const code = value.trim().toUpperCase();
  // Intl answers an unknown but well-formed code with the code itself.
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code) || REGIONS.of(code) === code) throw badInput(field, 'must be an ISO 3166-1 alpha-2 country code such as NO or SE');
  return code;
}
