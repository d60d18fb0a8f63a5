import { badInput } from '../../../../lib/src/errors';

/** A category as stored: 1 to 64 printable ASCII characters, compared without case (kept in lower case). */
export function validCategory(field: string, value: string): string {
  const category = value.trim().toLowerCase();
  if (!/^[\x21-\x7e]{1,64}$/.test(category)) throw badInput(field, 'must be 1 to 64 printable ASCII characters without spaces');
  return category;
}

/** "15" or "12.5" -> "15.00", "12.50": a percent from 0 (ends the category's extra) to 1000, at most 2 decimals. */
export function validExtraPercent(field: string, value: string): string {
  const match = /^(\d{1,4})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) throw badInput(field, 'must be a percent such as "15" or "12.5", at most 2 decimals');
  const centi = BigInt(match[1]) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  if (centi > 100_000n) throw badInput(field, 'must be at most 1000');
  return `${centi / 100n}.${(centi % 100n).toString().padStart(2, '0')}`;
}
