import { badInput } from './errors';

/**
 * Money and rates as exact integers. Amounts are held in minor units (cents, øre) as bigint; rates as
 * decimal strings parsed to a scaled bigint. Nothing here uses floating point.
 */

/**
 * ISO 4217 minor units, from the standard's table rather than ICU/CLDR (which differs for HUF, IDR, COP,
 * IQD and others, and may change with a Node upgrade: stored minor-unit amounts must never be rescaled).
 * Currencies not listed here have 2.
 */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0,
  XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Codes ISO 4217 lists without minor units: precious metals, fund and testing codes. Not money here. */
const NOT_MONEY = new Set(['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX']);

const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency').filter((c) => !NOT_MONEY.has(c)));

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && ISO_CURRENCIES.has(code);
}

/** Number of minor-unit digits of an ISO 4217 currency (2 for NOK, SEK, DKK and EUR; 0 for JPY). */
export function currencyExponent(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

export function currency(field: string, value: string): string {
  if (!isCurrency(value)) throw badInput(field, 'must be an ISO 4217 currency code such as NOK, SEK, DKK or EUR');
  return value;
}

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

/** Parses a non-negative decimal string into an integer scaled by 10^scale; refuses extra precision. */
export function parseScaled(field: string, value: string, scale: number, maxDigits = 30): bigint {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw badInput(field, 'must be a non-negative decimal number such as "12.50"');
  const whole = match[1];
  const fraction = match[2] ?? '';
  if (fraction.length > scale) throw badInput(field, `must have at most ${scale} decimal places`);
  if (whole.length + scale > maxDigits) throw badInput(field, 'is too large');
  return BigInt(whole + fraction.padEnd(scale, '0'));
}

/** Formats an integer scaled by 10^scale back to a decimal string with exactly `scale` decimals. */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export interface MoneyValue {
  /** Minor units. */
  minor: bigint;
  currency: string;
}

/** Parses `{amount, currency}` input; the amount must be positive unless `allowZero`. */
export function parseMoney(field: string, input: { amount: string; currency: string }, allowZero = false): MoneyValue {
  const code = currency(`${field}.currency`, input.currency);
  const minor = parseScaled(`${field}.amount`, input.amount, currencyExponent(code), 18);
  if (!allowZero && minor === 0n) throw badInput(`${field}.amount`, 'must be greater than zero');
  return { minor, currency: code };
}

export function formatMoney(value: MoneyValue): { amount: string; currency: string } {
  return { amount: formatScaled(value.minor, currencyExponent(value.currency)), currency: value.currency };
}

/** Scale of stored rates (points per currency unit, prices per point): 6 decimal places. */
export const RATE_SCALE = 6;

/**
 * Formats a stored decimal (PostgreSQL numeric text such as "0.010000") with trailing zeros trimmed,
 * keeping at least `minDecimals` places.
 */
export function trimDecimal(value: string, minDecimals: number): string {
  const [whole, fraction = ''] = value.split('.');
  let trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length < minDecimals) trimmed = trimmed.padEnd(minDecimals, '0');
  return trimmed.length > 0 ? `${whole}.${trimmed}` : whole;
}
