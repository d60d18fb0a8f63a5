import { describe, expect, it } from 'vitest';
import { expectBadInput } from '../../test/support/errors';
import { rng } from '../../test/support/random';
import {
  RATE_SCALE,
  currency,
  currencyExponent,
  formatMoney,
  formatScaled,
  isCurrency,
  parseMoney,
  parseScaled,
  trimDecimal,
} from '../src/money';


/** A random non-negative bigint of 1..maxDigits decimal digits (no leading zeros). */
function randomBigint(next: () => number, maxDigits: number): bigint {
  const length = 1 + Math.floor(next() * maxDigits);
  let digits = '';
  for (let i = 0; i < length; i++) digits += String(Math.floor(next() * 10));
  return BigInt(digits);
}

describe('isCurrency and currency()', () => {
  it('accepts ISO 4217 codes', () => {
    for (const code of ['NOK', 'SEK', 'DKK', 'EUR', 'JPY', 'USD', 'GBP', 'ISK']) {
      expect(isCurrency(code)).toBe(true);
      expect(currency('purchase.currency', code)).toBe(code);
    }
  });

  it('refuses unknown, lowercase, and wrongly sized codes', () => {
    for (const code of ['XYZ', 'nok', 'Nok', 'NOKK', 'NO', '', ' NOK', 'NOK ', 'N0K', '123']) {
      expect(isCurrency(code)).toBe(false);
      const error = expectBadInput(() => currency('purchase.currency', code), 'purchase.currency');
      expect(error.message).toBe('purchase.currency: must be an ISO 4217 currency code such as NOK, SEK, DKK or EUR');
    }
  });
});

describe('currencyExponent', () => {
  it('is 2 for the Nordic currencies and EUR, 0 for JPY and ISK, 3 for KWD', () => {
    expect(currencyExponent('NOK')).toBe(2);
    expect(currencyExponent('SEK')).toBe(2);
    expect(currencyExponent('DKK')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('ISK')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
  });
});

describe('parseMoney', () => {
  it('parses amounts into minor units', () => {
    expect(parseMoney('purchase', { amount: '12.50', currency: 'NOK' })).toEqual({ minor: 1250n, currency: 'NOK' });
    expect(parseMoney('purchase', { amount: '12.5', currency: 'NOK' })).toEqual({ minor: 1250n, currency: 'NOK' });
    expect(parseMoney('purchase', { amount: '12', currency: 'SEK' })).toEqual({ minor: 1200n, currency: 'SEK' });
    expect(parseMoney('purchase', { amount: '0.01', currency: 'EUR' })).toEqual({ minor: 1n, currency: 'EUR' });
    expect(parseMoney('purchase', { amount: '249.90', currency: 'DKK' })).toEqual({ minor: 24990n, currency: 'DKK' });
    expect(parseMoney('purchase', { amount: '1500', currency: 'JPY' })).toEqual({ minor: 1500n, currency: 'JPY' });
    expect(parseMoney('purchase', { amount: '1.234', currency: 'KWD' })).toEqual({ minor: 1234n, currency: 'KWD' });
  });

  it('trims surrounding whitespace in the amount', () => {
    expect(parseMoney('purchase', { amount: ' 12.50 ', currency: 'NOK' }).minor).toBe(1250n);
  });

  it.each(['-5', '1.234', 'abc', '', ' ', '0', '0.00', '0.0', '.5', '5.', '01', '1e3', '+5', '1,50', '1 000', '0x10', 'Infinity', 'NaN', '12.50 NOK'])(
    'refuses amount %j with field purchase.amount',
    (amount) => {
      const error = expectBadInput(() => parseMoney('purchase', { amount, currency: 'NOK' }), 'purchase.amount');
      expect(error.message.startsWith('purchase.amount: ')).toBe(true);
    },
  );

  it('refuses decimals in a currency with exponent 0', () => {
    expectBadInput(() => parseMoney('purchase', { amount: '1.5', currency: 'JPY' }), 'purchase.amount');
    expectBadInput(() => parseMoney('purchase', { amount: '1.0', currency: 'JPY' }), 'purchase.amount');
  });

  it('accepts zero only with allowZero', () => {
    expect(parseMoney('refund', { amount: '0', currency: 'NOK' }, true)).toEqual({ minor: 0n, currency: 'NOK' });
    expect(parseMoney('refund', { amount: '0.00', currency: 'NOK' }, true)).toEqual({ minor: 0n, currency: 'NOK' });
    const error = expectBadInput(() => parseMoney('refund', { amount: '0', currency: 'NOK' }), 'refund.amount');
    expect(error.message).toBe('refund.amount: must be greater than zero');
  });

  it('refuses an unknown currency with field purchase.currency, before looking at the amount', () => {
    expectBadInput(() => parseMoney('purchase', { amount: '12.50', currency: 'XYZ' }), 'purchase.currency');
    expectBadInput(() => parseMoney('purchase', { amount: '12.50', currency: 'nok' }), 'purchase.currency');
    expectBadInput(() => parseMoney('purchase', { amount: 'abc', currency: 'NOKK' }), 'purchase.currency');
  });

  it('caps the amount at 18 digits including the minor units', () => {
    const whole16 = '9'.repeat(16);
    expect(parseMoney('purchase', { amount: `${whole16}.99`, currency: 'NOK' }).minor).toBe(BigInt(`${whole16}99`));
    const error = expectBadInput(() => parseMoney('purchase', { amount: '1'.repeat(17), currency: 'NOK' }), 'purchase.amount');
    expect(error.message).toBe('purchase.amount: is too large');
    expect(parseMoney('purchase', { amount: '9'.repeat(18), currency: 'JPY' }).minor).toBe(BigInt('9'.repeat(18)));
    expectBadInput(() => parseMoney('purchase', { amount: '1'.repeat(19), currency: 'JPY' }), 'purchase.amount');
  });

  it('round-trips through formatMoney', () => {
    expect(formatMoney({ minor: 1250n, currency: 'NOK' })).toEqual({ amount: '12.50', currency: 'NOK' });
    expect(formatMoney({ minor: 5n, currency: 'EUR' })).toEqual({ amount: '0.05', currency: 'EUR' });
    expect(formatMoney({ minor: 1500n, currency: 'JPY' })).toEqual({ amount: '1500', currency: 'JPY' });
    const next = rng(11);
    for (let i = 0; i < 1_000; i++) {
      const code = ['NOK', 'SEK', 'DKK', 'EUR', 'JPY', 'KWD'][Math.floor(next() * 6)];
      const minor = randomBigint(next, 15) + 1n;
      const money = { minor, currency: code };
      expect(parseMoney('purchase', formatMoney(money))).toEqual(money);
    }
  });
});

describe('parseScaled and formatScaled', () => {
  it('parses rates at 6 decimal places', () => {
    expect(RATE_SCALE).toBe(6);
    expect(parseScaled('rate', '1', RATE_SCALE)).toBe(1_000_000n);
    expect(parseScaled('rate', '0.5', RATE_SCALE)).toBe(500_000n);
    expect(parseScaled('rate', '123.456789', RATE_SCALE)).toBe(123_456_789n);
    expect(parseScaled('rate', '0.000001', RATE_SCALE)).toBe(1n);
    expect(parseScaled('rate', '0', RATE_SCALE)).toBe(0n);
  });

  it('refuses extra precision, negatives and junk, naming the field', () => {
    expect(expectBadInput(() => parseScaled('earnRate', '0.0000001', 6), 'earnRate').message).toBe('earnRate: must have at most 6 decimal places');
    expectBadInput(() => parseScaled('earnRate', '-1', 6), 'earnRate');
    expectBadInput(() => parseScaled('earnRate', '1.', 6), 'earnRate');
    expectBadInput(() => parseScaled('earnRate', '', 6), 'earnRate');
    expectBadInput(() => parseScaled('earnRate', '00.5', 6), 'earnRate');
  });

  it('enforces maxDigits on the whole part plus the scale', () => {
    expect(parseScaled('f', '1'.repeat(24), 6)).toBe(BigInt('1'.repeat(24)) * 1_000_000n);
    expectBadInput(() => parseScaled('f', '1'.repeat(25), 6), 'f');
    expect(parseScaled('f', '12', 2, 4)).toBe(1200n);
    expectBadInput(() => parseScaled('f', '123', 2, 4), 'f');
  });

  it('formats with exactly `scale` decimals', () => {
    expect(formatScaled(0n, 0)).toBe('0');
    expect(formatScaled(0n, 2)).toBe('0.00');
    expect(formatScaled(0n, 6)).toBe('0.000000');
    expect(formatScaled(5n, 2)).toBe('0.05');
    expect(formatScaled(1250n, 2)).toBe('12.50');
    expect(formatScaled(123n, 0)).toBe('123');
    expect(formatScaled(1n, 6)).toBe('0.000001');
    expect(formatScaled(123_456_789n, 6)).toBe('123.456789');
    expect(formatScaled(-5n, 2)).toBe('-0.05');
    expect(formatScaled(-1250n, 2)).toBe('-12.50');
    expect(formatScaled(-1n, 6)).toBe('-0.000001');
    expect(formatScaled(-7n, 0)).toBe('-7');
    expect(formatScaled(10n ** 30n, 3)).toBe(`1${'0'.repeat(27)}.000`);
  });

  it('round-trips random bigints at scales 0..6', () => {
    const next = rng(2024);
    for (let scale = 0; scale <= 6; scale++) {
      for (let i = 0; i < 1_000; i++) {
        const value = randomBigint(next, 25);
        const text = formatScaled(value, scale);
        expect(text).toMatch(scale === 0 ? /^(0|[1-9]\d*)$/ : new RegExp(`^(0|[1-9]\\d*)\\.\\d{${scale}}$`));
        expect(parseScaled('f', text, scale, 40)).toBe(value);
        // Negative values format with a leading minus and otherwise the same digits.
        if (value !== 0n) expect(formatScaled(-value, scale)).toBe(`-${text}`);
      }
    }
  });

  it('round-trips random decimal strings (padding the fraction)', () => {
    const next = rng(5);
    for (let i = 0; i < 2_000; i++) {
      const scale = Math.floor(next() * 7);
      const whole = randomBigint(next, 12).toString();
      const fractionLength = Math.floor(next() * (scale + 1));
      let fraction = '';
      for (let j = 0; j < fractionLength; j++) fraction += String(Math.floor(next() * 10));
      const text = fraction ? `${whole}.${fraction}` : whole;
      const parsed = parseScaled('f', text, scale);
      expect(parsed).toBe(BigInt(whole) * 10n ** BigInt(scale) + (fraction ? BigInt(fraction.padEnd(scale, '0')) : 0n));
      const expected = scale === 0 ? whole : `${whole}.${fraction.padEnd(scale, '0')}`;
      expect(formatScaled(parsed, scale)).toBe(expected);
    }
  });
});

describe('trimDecimal', () => {
  it('trims trailing zeros of the fraction only', () => {
    expect(trimDecimal('0.010000', 0)).toBe('0.01');
    expect(trimDecimal('1.000000', 0)).toBe('1');
    expect(trimDecimal('100.000000', 0)).toBe('100');
    expect(trimDecimal('100', 0)).toBe('100');
    expect(trimDecimal('0.000000', 0)).toBe('0');
    expect(trimDecimal('123.456789', 0)).toBe('123.456789');
    expect(trimDecimal('10.500000', 0)).toBe('10.5');
  });

  it('keeps at least minDecimals places', () => {
    expect(trimDecimal('1.000000', 2)).toBe('1.00');
    expect(trimDecimal('12', 2)).toBe('12.00');
    expect(trimDecimal('12.5', 2)).toBe('12.50');
    expect(trimDecimal('12.500000', 2)).toBe('12.50');
    expect(trimDecimal('12.345000', 2)).toBe('12.345');
    expect(trimDecimal('0.000000', 1)).toBe('0.0');
  });
});
