import { describe, expect, it } from 'vitest';
import { rng } from '../../../../test/support/random';
import {
  CARD_NUMBER_LENGTH,
  dammCheckDigit,
  formatCardNumber,
  generateCardNumber,
  isValidCardNumber,
  normalizeCardNumber,
} from '../domain/card-number';


function randomDigits(next: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(Math.floor(next() * 10));
  return out;
}

/** A valid card number built from a random 15-digit body plus its check digit. */
function randomValidCard(next: () => number): string {
  const body = randomDigits(next, CARD_NUMBER_LENGTH - 1);
  return body + String(dammCheckDigit(body));
}

function substitute(value: string, position: number, digit: number): string {
  return value.slice(0, position) + String(digit) + value.slice(position + 1);
}

function swapAdjacent(value: string, position: number): string {
  return value.slice(0, position) + value[position + 1] + value[position] + value.slice(position + 2);
}

/** Asserts every single-digit substitution of a valid number is refused; returns how many were checked. */
function expectAllSubstitutionsCaught(card: string): number {
  let checked = 0;
  for (let position = 0; position < card.length; position++) {
    for (let digit = 0; digit <= 9; digit++) {
      if (String(digit) === card[position]) continue;
      const mutated = substitute(card, position, digit);
      if (isValidCardNumber(mutated)) throw new Error(`substitution not caught: ${card} -> ${mutated}`);
      checked++;
    }
  }
  return checked;
}

/** Asserts every adjacent transposition of two different digits is refused; returns how many were checked. */
function expectAllTranspositionsCaught(card: string): number {
  let checked = 0;
  for (let position = 0; position < card.length - 1; position++) {
    if (card[position] === card[position + 1]) continue;
    const swapped = swapAdjacent(card, position);
    if (isValidCardNumber(swapped)) throw new Error(`transposition not caught: ${card} -> ${swapped}`);
    checked++;
  }
  return checked;
}

describe('dammCheckDigit', () => {
  it('matches the published Damm vector: 572 -> 4', () => {
    expect(dammCheckDigit('572')).toBe(4);
    expect(dammCheckDigit('5724')).toBe(0);
  });

  it('gives 0 for the empty string and for all-zero strings', () => {
    expect(dammCheckDigit('')).toBe(0);
    expect(dammCheckDigit('0')).toBe(0);
    expect(dammCheckDigit('000000000000000')).toBe(0);
  });

  it('returns a digit 0..9 such that appending it always yields interim 0', () => {
    const next = rng(1);
    for (let i = 0; i < 2_000; i++) {
      const body = randomDigits(next, 1 + Math.floor(next() * 20));
      const check = dammCheckDigit(body);
      expect(Number.isInteger(check) && check >= 0 && check <= 9).toBe(true);
      expect(dammCheckDigit(body + String(check))).toBe(0);
    }
  });

  it('has exactly one valid check digit for every body', () => {
    const next = rng(2);
    for (let i = 0; i < 500; i++) {
      const body = randomDigits(next, CARD_NUMBER_LENGTH - 1);
      const valid = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => isValidCardNumber(body + String(d)));
      expect(valid).toEqual([dammCheckDigit(body)]);
    }
  });
});

describe('isValidCardNumber', () => {
  it('accepts fixed valid numbers', () => {
    // 7 followed by 14 zeros: check digit of "700000000000000".
    const body = '700000000000000';
    const card = body + String(dammCheckDigit(body));
    expect(card).toHaveLength(16);
    expect(isValidCardNumber(card)).toBe(true);
    expect(isValidCardNumber('0000000000000000')).toBe(true);
  });

  it('refuses wrong lengths even when the check digit works out', () => {
    expect(isValidCardNumber('5724')).toBe(false);
    expect(isValidCardNumber('')).toBe(false);
    const body15 = '71234567890123';
    const card15 = body15 + String(dammCheckDigit(body15));
    expect(card15).toHaveLength(15);
    expect(isValidCardNumber(card15)).toBe(false);
    const body16 = '7123456789012345';
    const card17 = body16 + String(dammCheckDigit(body16));
    expect(card17).toHaveLength(17);
    expect(isValidCardNumber(card17)).toBe(false);
  });

  it('refuses non-digit characters, spaces and hyphens (callers normalise first)', () => {
    const card = generateCardNumber();
    expect(isValidCardNumber(formatCardNumber(card))).toBe(false);
    expect(isValidCardNumber(`${card.slice(0, 4)}-${card.slice(4)}`)).toBe(false);
    expect(isValidCardNumber(` ${card}`)).toBe(false);
    expect(isValidCardNumber(`${card}\n`)).toBe(false);
    expect(isValidCardNumber('7abc567890123456')).toBe(false);
    // Non-ASCII digits (Arabic-Indic) are not accepted.
    expect(isValidCardNumber('٧٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠')).toBe(false);
  });
});

describe('generateCardNumber', () => {
  it('produces 16-digit numbers that start with 7 and are valid', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const card = generateCardNumber();
      expect(card).toMatch(/^7\d{15}$/);
      expect(isValidCardNumber(card)).toBe(true);
      expect(dammCheckDigit(card.slice(0, 15))).toBe(Number(card[15]));
      seen.add(card);
    }
    // 10^14 possible bodies: 2,000 draws should not collide.
    expect(seen.size).toBe(2_000);
  });

  it('uses every digit in the random positions', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 500; i++) {
      for (const ch of generateCardNumber().slice(1, 15)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });
});

describe('formatCardNumber and normalizeCardNumber', () => {
  it('formats as four groups of four', () => {
    expect(formatCardNumber('7123456789012345')).toBe('7123 4567 8901 2345');
    expect(formatCardNumber('1234')).toBe('1234');
    expect(formatCardNumber('12345')).toBe('1234 5');
  });

  it('strips spaces, tabs and hyphens', () => {
    expect(normalizeCardNumber('7123 4567 8901 2345')).toBe('7123456789012345');
    expect(normalizeCardNumber('7123-4567-8901-2345')).toBe('7123456789012345');
    expect(normalizeCardNumber(' 7123 - 4567\t8901\n2345 ')).toBe('7123456789012345');
    expect(normalizeCardNumber('7123456789012345')).toBe('7123456789012345');
  });

  it('round-trips generated numbers through format and normalise', () => {
    for (let i = 0; i < 500; i++) {
      const card = generateCardNumber();
      const printed = formatCardNumber(card);
      expect(printed).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(normalizeCardNumber(printed)).toBe(card);
      expect(normalizeCardNumber(printed.replace(/ /g, '-'))).toBe(card);
      expect(isValidCardNumber(normalizeCardNumber(printed))).toBe(true);
    }
  });
});

describe('single-digit substitutions', () => {
  it('catches every substitution at every position for 2,000 random valid numbers', () => {
    const next = rng(42);
    let checked = 0;
    for (let i = 0; i < 2_000; i++) {
      const card = randomValidCard(next);
      expect(isValidCardNumber(card)).toBe(true);
      checked += expectAllSubstitutionsCaught(card);
    }
    expect(checked).toBe(2_000 * 16 * 9);
  });

  it('catches every substitution for generated numbers', () => {
    let checked = 0;
    for (let i = 0; i < 200; i++) checked += expectAllSubstitutionsCaught(generateCardNumber());
    expect(checked).toBe(200 * 16 * 9);
  });

  it.each(['0000000000000000', '7000000000000000', '7999999999999999', '7123456789012345', '7090909090909090'])(
    'catches every substitution exhaustively for the body of %s',
    (seed) => {
      const body = seed.slice(0, 15);
      const card = body + String(dammCheckDigit(body));
      expect(isValidCardNumber(card)).toBe(true);
      expect(expectAllSubstitutionsCaught(card)).toBe(16 * 9);
    },
  );
});

describe('adjacent transpositions', () => {
  it('catches every adjacent transposition of different digits for 2,000 random valid numbers', () => {
    const next = rng(7);
    let checked = 0;
    for (let i = 0; i < 2_000; i++) checked += expectAllTranspositionsCaught(randomValidCard(next));
    // Roughly 15 x 0.9 per number; a bound proves the loop ran.
    expect(checked).toBeGreaterThan(2_000 * 12);
  });

  it('catches 09 <-> 90 (which Luhn misses)', () => {
    const body = '709000000000000';
    const card = body + String(dammCheckDigit(body));
    expect(isValidCardNumber(card)).toBe(true);
    expect(isValidCardNumber(swapAdjacent(card, 1))).toBe(false);
  });

  it('catches the swap of every ordered pair ab (a != b) at every position, including the check digit', () => {
    const next = rng(99);
    let checked = 0;
    for (let a = 0; a <= 9; a++) {
      for (let b = 0; b <= 9; b++) {
        if (a === b) continue;
        const pair = `${a}${b}`;
        // Put the pair at every position inside the 15-digit body, with zero and with random fillers.
        for (let position = 0; position <= CARD_NUMBER_LENGTH - 3; position++) {
          for (const filler of ['0'.repeat(15), randomDigits(next, 15)]) {
            const body = filler.slice(0, position) + pair + filler.slice(position + 2, 15);
            expect(body).toHaveLength(15);
            const card = body + String(dammCheckDigit(body));
            expect(isValidCardNumber(card)).toBe(true);
            expect(isValidCardNumber(swapAdjacent(card, position))).toBe(false);
            checked++;
          }
        }
        // The pair formed by the last body digit and the check digit.
        for (let tries = 0; tries < 1_000; tries++) {
          const prefix = randomDigits(next, 14);
          const body = prefix + String(a);
          if (dammCheckDigit(body) !== b) continue;
          const card = body + String(b);
          expect(isValidCardNumber(swapAdjacent(card, 14))).toBe(false);
          checked++;
          break;
        }
      }
    }
    expect(checked).toBe(90 * 14 * 2 + 90);
  });
});
