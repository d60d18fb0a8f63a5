import { randomInt } from 'node:crypto';

/**
 * Card numbers: 16 digits, the last a Damm check digit. Damm's quasigroup catches every single-digit
 * error and every adjacent transposition (Luhn misses 09 <-> 90), which is what a till keyboard produces.
 */

const DAMM: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

export const CARD_NUMBER_LENGTH = 16;

export function dammCheckDigit(digits: string): number {
  let interim = 0;
  for (const ch of digits) interim = DAMM[interim][ch.charCodeAt(0) - 48];
  return interim;
}

export function isValidCardNumber(value: string): boolean {
  return new RegExp(`^\\d{${CARD_NUMBER_LENGTH}}$`).test(value) && dammCheckDigit(value) === 0;
}

/** Strips the spaces and hyphens a printed card or a till may add. */
export function normalizeCardNumber(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/** A new random card number: a leading 7 (the coalition's range), 14 random digits, the check digit. */
export function generateCardNumber(): string {
  let body = '7';
  for (let i = 0; i < CARD_NUMBER_LENGTH - 2; i++) body += String(randomInt(10));
  return body + String(dammCheckDigit(body));
}

/** The printed form: four groups of four. */
export function formatCardNumber(value: string): string {
  return value.replace(/(\d{4})(?=\d)/g, '$1 ');
}
