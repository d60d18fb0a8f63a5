import { describe, expect, it } from 'vitest';
import { rng } from '../../../../test/support/random';
import { MAX_POINTS_PER_TRANSACTION, pointsForPurchase } from '../domain/earn.rules';


/** A random non-negative bigint of 1..maxDigits decimal digits. */
function randomBigint(next: () => number, maxDigits: number): bigint {
  const length = 1 + Math.floor(next() * maxDigits);
  let digits = '';
  for (let i = 0; i < length; i++) digits += String(Math.floor(next() * 10));
  return BigInt(digits);
}

/** Rates are stored as the rate x 10^6. */
const rate = (value: string): bigint => {
  const [whole, fraction = ''] = value.split('.');
  return BigInt(whole + fraction.padEnd(6, '0'));
};

describe('pointsForPurchase', () => {
  it('rounds down to a whole point', () => {
    expect(pointsForPurchase(9_999n, 2, rate('0.5'))).toBe(49n); // 99.99 SEK x 0.5 = 49.995
    expect(pointsForPurchase(24_990n, 2, rate('1'))).toBe(249n); // 249.90 NOK x 1 = 249.9
    expect(pointsForPurchase(1n, 2, rate('10'))).toBe(0n); // 0.01 EUR x 10 = 0.1
    expect(pointsForPurchase(1n, 0, rate('1.5'))).toBe(1n); // 1 JPY x 1.5 = 1.5
    expect(pointsForPurchase(199n, 2, rate('0.5'))).toBe(0n); // 1.99 x 0.5 = 0.995
    expect(pointsForPurchase(10_000n, 2, rate('0.999999'))).toBe(99n); // 100 x 0.999999 = 99.9999
  });

  it('is exact on whole results', () => {
    expect(pointsForPurchase(10_000n, 2, rate('1'))).toBe(100n);
    expect(pointsForPurchase(200n, 2, rate('0.5'))).toBe(1n);
    expect(pointsForPurchase(1_000n, 0, rate('0.001'))).toBe(1n);
    expect(pointsForPurchase(1_000n, 3, rate('1'))).toBe(1n); // 1.000 KWD
    expect(pointsForPurchase(1n, 2, rate('100'))).toBe(1n);
    expect(pointsForPurchase(1n, 0, rate('0.000001'))).toBe(0n);
    expect(pointsForPurchase(1_000_000n, 0, rate('0.000001'))).toBe(1n);
  });

  it('is zero for a zero purchase or a zero rate', () => {
    expect(pointsForPurchase(0n, 2, rate('5'))).toBe(0n);
    expect(pointsForPurchase(123_456n, 2, 0n)).toBe(0n);
  });

  it('is exact for huge values where floating point would not be', () => {
    // 10^15 minor units (10^13 NOK) x 123.456789 = 1,234,567,890,000,000 points.
    expect(pointsForPurchase(10n ** 15n, 2, rate('123.456789'))).toBe(1_234_567_890_000_000n);
    // (10^15 + 8) x 123.456789 / 100 = 1,234,567,890,000,009.87654312 -> ...009; floating point gives ...010.
    expect(pointsForPurchase(10n ** 15n + 8n, 2, rate('123.456789'))).toBe(1_234_567_890_000_009n);
    expect(Math.floor((Number(10n ** 15n + 8n) / 100) * 123.456789)).toBe(1_234_567_890_000_010);
    expect(pointsForPurchase(10n ** 15n + 7n, 2, rate('123.456789'))).toBe(1_234_567_890_000_008n);
    // 18-digit purchase (the parseMoney cap) at a 12-digit rate.
    expect(pointsForPurchase(999_999_999_999_999_999n, 2, rate('999999.999999'))).toBe(9_999_999_999_989_999_990_000n);
    expect(pointsForPurchase(999_999_999_999_999_999n, 2, rate('999999.999999'))).toBe(
      (999_999_999_999_999_999n * 999_999_999_999n) / 10n ** 8n,
    );
  });

  it('refuses negative purchases and rates', () => {
    expect(() => pointsForPurchase(-1n, 2, rate('1'))).toThrow(RangeError);
    expect(() => pointsForPurchase(100n, 2, -1n)).toThrow(RangeError);
    expect(() => pointsForPurchase(-100n, 2, -1_000_000n)).toThrow(RangeError);
  });

  it('satisfies result x 10^(exp+6) <= purchase x rate < (result + 1) x 10^(exp+6) for random inputs', () => {
    const next = rng(31337);
    for (let i = 0; i < 10_000; i++) {
      const exponent = Math.floor(next() * 4);
      const purchase = next() < 0.05 ? 0n : randomBigint(next, 18);
      const scaledRate = next() < 0.05 ? 0n : randomBigint(next, 12);
      const result = pointsForPurchase(purchase, exponent, scaledRate);
      const divisor = 10n ** BigInt(exponent + 6);
      const product = purchase * scaledRate;
      expect(typeof result).toBe('bigint');
      expect(result >= 0n).toBe(true);
      if (!(result * divisor <= product && product < (result + 1n) * divisor)) {
        throw new Error(`floor violated for purchase=${purchase} exp=${exponent} rate=${scaledRate}: got ${result}`);
      }
    }
  });

  it('is monotonic in the purchase and the rate', () => {
    const next = rng(4);
    for (let i = 0; i < 2_000; i++) {
      const exponent = Math.floor(next() * 3);
      const purchase = randomBigint(next, 10);
      const scaledRate = randomBigint(next, 8);
      const base = pointsForPurchase(purchase, exponent, scaledRate);
      expect(pointsForPurchase(purchase + 1n, exponent, scaledRate) >= base).toBe(true);
      expect(pointsForPurchase(purchase, exponent, scaledRate + 1n) >= base).toBe(true);
    }
  });

  it('caps transactions at the GraphQL Int range', () => {
    expect(MAX_POINTS_PER_TRANSACTION).toBe(2_147_483_647n);
  });
});
