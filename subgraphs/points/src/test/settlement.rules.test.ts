import { describe, expect, it } from 'vitest';
import { formatMicros, netPosition, parseMicros, roundHalfEven, rounded } from '../domain/settlement.rules';

describe('settlement arithmetic', () => {
  it('parses numeric text exactly, refusing more than 6 decimals', () => {
    expect(parseMicros('4.110885')).toBe(4_110_885n);
    expect(parseMicros('-0.000015')).toBe(-15n);
    expect(parseMicros('12')).toBe(12_000_000n);
    expect(parseMicros('0.1000000')).toBe(100_000n);
    expect(() => parseMicros('0.0000001')).toThrow();
    expect(() => parseMicros('1e3')).toThrow();
  });

  it('rounds half to even at the minor unit, symmetric around zero', () => {
    expect(roundHalfEven(4_110_885n, 2)).toBe(4_110_000n);
    expect(roundHalfEven(4_115_000n, 2)).toBe(4_120_000n); // 4.115 -> 4.12 (1 is odd)
    expect(roundHalfEven(4_125_000n, 2)).toBe(4_120_000n); // 4.125 -> 4.12 (2 is even)
    expect(roundHalfEven(4_125_001n, 2)).toBe(4_130_000n);
    expect(roundHalfEven(-4_115_000n, 2)).toBe(-4_120_000n);
    expect(roundHalfEven(2_500_000n, 0)).toBe(2_000_000n); // JPY
    expect(roundHalfEven(1_234_500n, 3)).toBe(1_234_000n); // KWD
    expect(roundHalfEven(1_234_567n, 6)).toBe(1_234_567n);
  });

  it('formats on the grid only', () => {
    expect(formatMicros(4_110_000n, 2)).toBe('4.11');
    expect(formatMicros(-390_000n, 2)).toBe('-0.39');
    expect(formatMicros(-15n, 6)).toBe('-0.000015');
    expect(formatMicros(2_000_000n, 0)).toBe('2');
    expect(() => formatMicros(4_110_885n, 2)).toThrow();
  });

  it('keeps exact net = rounded net + remainder, the remainder below one minor unit', () => {
    for (let i = 0; i < 2000; i++) {
      const a = BigInt(Math.floor(Math.random() * 1e12));
      const b = BigInt(Math.floor(Math.random() * 1e12));
      const { net, remainder } = netPosition(rounded(a, 2), rounded(b, 2));
      expect(a - b).toBe(net + remainder);
      expect(net % 10_000n).toBe(0n);
      expect(remainder < 10_000n && remainder > -10_000n).toBe(true);
    }
  });
});
