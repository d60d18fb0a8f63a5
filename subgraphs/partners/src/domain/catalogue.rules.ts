import { badInput } from '../../../../lib/src/errors';
import * as validate from '../../../../lib/src/validation';

/** Rules for a partner's stores and offers catalogue. Pure: no database, no GraphQL. */

export const STORE_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface StoreFields {
  code?: string | null;
  name?: string | null;
  address?: string | null;
  city?: string | null;
  country?: string | null;
}

export interface ValidStoreFields {
  code?: string;
  name?: string;
  /** null clears the field; undefined leaves it as it is. */
  address?: string | null;
  city?: string | null;
  country?: string;
}

function storeCode(field: string, value: string): string {
  const code = value.trim();
  if (!STORE_CODE.test(code)) throw badInput(field, 'must be 1 to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit');
  return code;
}

/** Optional text: absent stays absent, an empty string clears, anything else is checked text. */
function optionalText(field: string, value: string | null | undefined, max: number): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value.trim() === '') return null;
  return validate.text(field, value, max);
}

/** A new store: code, name and country are required. */
export function validateNewStore(input: StoreFields): Required<ValidStoreFields> {
  if (input.code == null) throw badInput('code', 'is required');
  if (input.name == null) throw badInput('name', 'is required');
  if (input.country == null) throw badInput('country', 'is required');
  return {
    code: storeCode('code', input.code),
    name: validate.text('name', input.name, 200),
    address: optionalText('address', input.address, 500) ?? null,
    city: optionalText('city', input.city, 100) ?? null,
    country: validate.country('country', input.country),
  };
}

/** A change to a store: only the given fields; null on a required field is refused. */
export function validateStoreChange(input: StoreFields): ValidStoreFields {
  const out: ValidStoreFields = {};
  if (input.code === null) throw badInput('code', 'cannot be removed');
  if (input.name === null) throw badInput('name', 'cannot be removed');
  if (input.country === null) throw badInput('country', 'cannot be removed');
  if (input.code !== undefined) out.code = storeCode('code', input.code);
  if (input.name !== undefined) out.name = validate.text('name', input.name, 200);
  if (input.address !== undefined) out.address = optionalText('address', input.address, 500);
  if (input.city !== undefined) out.city = optionalText('city', input.city, 100);
  if (input.country !== undefined) out.country = validate.country('country', input.country);
  return out;
}

export type OfferKindValue = 'POINTS_PRICE' | 'BONUS_POINTS' | 'MULTIPLIER';

export interface OfferFields {
  title?: string | null;
  description?: string | null;
  points?: number | null;
  multiplier?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
  minTier?: string | null;
  /** A new offer only: how many earns one member's activation applies to (1 to 100, default 1). */
  usesPerMember?: number | null;
}

export interface ValidOfferFields {
  title?: string;
  description?: string | null;
  points?: number | null;
  /** Decimal string with at most 3 places, above 1 and at most 10. */
  multiplier?: string | null;
  validFrom?: Date;
  validTo?: Date | null;
  minTier?: string | null;
  usesPerMember?: number;
}

export const OFFER_MAX_POINTS = 1_000_000;

function offerPoints(value: number): number {
  const points = validate.points('points', value, 1);
  if (points > OFFER_MAX_POINTS) throw badInput('points', `must be at most ${OFFER_MAX_POINTS}`);
  return points;
}

function multiplier(value: string): string {
  const match = /^(\d{1,2})(?:\.(\d{1,3}))?$/.exec(value.trim());
  if (!match) throw badInput('multiplier', 'must be a decimal such as "2" or "1.5", with at most 3 decimals');
  const milli = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
  if (milli <= 1000 || milli > 10_000) throw badInput('multiplier', 'must be above 1 and at most 10');
  const fraction = (milli % 1000).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${Math.floor(milli / 1000)}.${fraction}` : String(milli / 1000);
}

/** `points` belongs to POINTS_PRICE (what it costs) and BONUS_POINTS (what it adds); `multiplier` to MULTIPLIER. */
function checkKindValues(kind: OfferKindValue, points: number | null | undefined, mult: string | null | undefined): void {
  if (kind === 'MULTIPLIER') {
    if (points != null) throw badInput('points', 'is not used by a MULTIPLIER offer');
    if (mult == null) throw badInput('multiplier', 'is required for a MULTIPLIER offer');
  } else {
    if (mult != null) throw badInput('multiplier', `is not used by a ${kind} offer`);
    if (points == null) throw badInput('points', `is required for a ${kind} offer`);
  }
}

/** A new offer. `now` is the default start; the window must end after it starts and after now. */
export function validateNewOffer(kind: OfferKindValue, input: OfferFields, now: Date): Required<ValidOfferFields> {
  if (input.title == null) throw badInput('title', 'is required');
  checkKindValues(kind, input.points, input.multiplier);
  const validFrom = input.validFrom == null ? now : validate.instant('validFrom', input.validFrom);
  const validTo = input.validTo == null ? null : validate.instant('validTo', input.validTo);
  checkWindow(validFrom, validTo, now);
  return {
    title: validate.text('title', input.title, 120),
    description: optionalText('description', input.description, 2000) ?? null,
    points: input.points == null ? null : offerPoints(input.points),
    multiplier: input.multiplier == null ? null : multiplier(input.multiplier),
    validFrom,
    validTo,
    minTier: optionalText('minTier', input.minTier, 50) ?? null,
    usesPerMember: input.usesPerMember == null ? 1 : usesPerMember(input.usesPerMember),
  };
}

function usesPerMember(value: number): number {
  const uses = validate.points('usesPerMember', value, 1);
  if (uses > 100) throw badInput('usesPerMember', 'must be at most 100');
  return uses;
}

/**
 * A change to an existing offer of `kind`, merged over its current window for the window checks.
 * Omitted fields stay; `description`, `validTo` and `minTier` are cleared by null.
 */
export function validateOfferChange(
  kind: OfferKindValue,
  input: OfferFields,
  current: { validFrom: Date; validTo: Date | null },
  now: Date,
): ValidOfferFields {
  const out: ValidOfferFields = {};
  if (input.title === null) throw badInput('title', 'cannot be removed');
  if (input.validFrom === null) throw badInput('validFrom', 'cannot be removed');
  if (input.title !== undefined) out.title = validate.text('title', input.title, 120);
  if (input.description !== undefined) out.description = optionalText('description', input.description, 2000);
  if (input.minTier !== undefined) out.minTier = optionalText('minTier', input.minTier, 50);
  if (kind === 'MULTIPLIER') {
    if (input.points != null) throw badInput('points', 'is not used by a MULTIPLIER offer');
    if (input.multiplier === null) throw badInput('multiplier', 'cannot be removed');
    if (input.multiplier !== undefined) out.multiplier = multiplier(input.multiplier);
  } else {
    if (input.multiplier != null) throw badInput('multiplier', `is not used by a ${kind} offer`);
    if (input.points === null) throw badInput('points', 'cannot be removed');
    if (input.points !== undefined) out.points = offerPoints(input.points);
  }
  if (input.validFrom !== undefined) out.validFrom = validate.instant('validFrom', input.validFrom);
  if (input.validTo !== undefined) out.validTo = input.validTo === null ? null : validate.instant('validTo', input.validTo);
  if (out.validFrom !== undefined || out.validTo !== undefined) {
    checkWindow(out.validFrom ?? current.validFrom, out.validTo === undefined ? current.validTo : out.validTo, now);
  }
  return out;
}

function checkWindow(validFrom: Date, validTo: Date | null, now: Date): void {
  if (validTo === null) return;
  if (validTo <= validFrom) throw badInput('validTo', 'must be after validFrom');
  if (validTo <= now) throw badInput('validTo', 'must be in the future');
}
