/**
 * Settlement arithmetic, exact and integer-only. Prices per point are stored with 6 decimals, so a
 * posting's value (points × price) is an exact decimal with 6 decimals: held here as a bigint of
 * millionths of the currency's major unit ("micros"). Sums of values stay exact.
 *
 * Rounding rule: each statement line (issued value, reimbursement value, breakage value, a flow's value)
 * is the exact sum of its postings' values, rounded ONCE, half to even, to the currency's minor unit.
 * `net` is issued − reimbursement of the rounded lines, so the invoice adds up; the difference between
 * the exact net and `net` is reported as the statement's `roundingRemainder` (it stays with the
 * coalition, and the coalition statement sums every partner's remainder per currency). So for every
 * statement: exact issued − exact reimbursement = net + roundingRemainder, with nothing lost.
 * Each rounded line is off by at most half a minor unit, so the remainder is at most ONE whole minor
 * unit in size, and can reach it: issued 0.005 → 0.00 and reimbursement 0.015 → 0.02 (both ties, to
 * even) give net −0.02 against an exact −0.01, a remainder of +0.01.
 */

export const VALUE_SCALE = 6;
const MICROS = 10n ** BigInt(VALUE_SCALE);

/** PostgreSQL numeric text ("-12.3400005") to micros; refuses more than 6 decimals (never truncates). */
export function parseMicros(value: string): bigint {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) throw new Error(`not a decimal: ${value}`);
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > VALUE_SCALE) throw new Error(`more than ${VALUE_SCALE} decimals: ${value}`);
  const micros = BigInt(match[2]) * MICROS + BigInt(fraction.padEnd(VALUE_SCALE, '0') || '0');
  return match[1] ? -micros : micros;
}

/** Rounds micros half to even to a currency with `exponent` minor digits; returns micros on that grid. */
export function roundHalfEven(micros: bigint, exponent: number): bigint {
  if (exponent >= VALUE_SCALE) return micros;
  const step = 10n ** BigInt(VALUE_SCALE - exponent);
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  let quotient = abs / step;
  const remainder = abs % step;
  const twice = remainder * 2n;
  if (twice > step || (twice === step && quotient % 2n === 1n)) quotient += 1n;
  const rounded = quotient * step;
  return negative ? -rounded : rounded;
}

/** Formats micros with exactly `decimals` places (the value must lie on that grid). */
export function formatMicros(micros: bigint, decimals: number): string {
  const places = Math.min(decimals, VALUE_SCALE);
  const step = 10n ** BigInt(VALUE_SCALE - places);
  if (micros % step !== 0n) throw new Error(`${micros} micros is not on a ${places}-decimal grid`);
  const scaled = micros / step;
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  return `${negative ? '-' : ''}${whole}${places > 0 ? `.${digits.slice(digits.length - places)}` : ''}`;
}

/** An exact value and its rounding to the currency's minor unit. */
export interface RoundedValue {
  exact: bigint;
  rounded: bigint;
}

export function rounded(exact: bigint, exponent: number): RoundedValue {
  return { exact, rounded: roundHalfEven(exact, exponent) };
}

/** A statement's lines: net = issued − reimbursement (rounded lines); remainder = exact net − net, |remainder| ≤ one minor unit. */
export function netPosition(issued: RoundedValue, reimbursement: RoundedValue): { net: bigint; remainder: bigint } {
  const net = issued.rounded - reimbursement.rounded;
  return { net, remainder: issued.exact - reimbursement.exact - net };
}
