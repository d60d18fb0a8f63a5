import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { badInput } from '../../../../lib/src/errors';

/**
 * Cashback rules: an IBAN checked by its ISO 13616 check digits (and its country's length and format),
 * and the money a number of points is worth, exact and rounded down to the currency's minor unit (the
 * coalition never pays a fraction of a cent a point was not worth).
 */

/** The IBAN in electronic form (no spaces, upper case), or BAD_USER_INPUT on `iban`. */
export function validIban(input: string): string {
  const iban = electronicFormatIBAN(input) ?? '';
  if (!isValidIBAN(iban)) throw badInput('iban', 'is not a valid IBAN (ISO 13616: country, check digits, account number)');
  return iban;
}

/** The IBAN as shown back: country, check digits and the last four characters. */
export function maskIban(iban: string): string {
  return `${iban.slice(0, 4)}${'*'.repeat(Math.max(iban.length - 8, 0))}${iban.slice(-4)}`;
}

const MICROS = 1_000_000n;

/** A decimal price per point ("0.005") as millionths. */
export function pointValueMicros(value: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(value);
  if (!match) throw new Error(`not a price per point: ${value}`);
  return BigInt(match[1]) * MICROS + BigInt((match[2] ?? '').padEnd(6, '0'));
}

/** Points × value per point, in the currency's minor units (`exponent` digits), rounded down. */
export function cashoutAmountMinor(points: bigint, valueMicros: bigint, exponent: number): bigint {
  return (points * valueMicros * 10n ** BigInt(exponent)) / MICROS;
}
