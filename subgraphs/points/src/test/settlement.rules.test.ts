import { describe, expect, it } from 'vitest';
import { rng } from '../../../../test/support/random';
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

  // Exact cases: (issued exact, reimbursement exact, exponent) → (net, remainder), in micros. Two ties
  // rounded to even in opposite directions leave a remainder of one whole minor unit.
  it.each([
    [5_000n, 15_000n, 2, -20_000n, 10_000n], // 0.005 → 0.00, 0.015 → 0.02: net −0.02, exact −0.01
    [15_000n, 5_000n, 2, 20_000n, -10_000n], // 0.015 → 0.02, 0.005 → 0.00: net 0.02, exact 0.01
    [25_000n, 15_000n, 2, 0n, 10_000n], // 0.025 → 0.02, 0.015 → 0.02: net 0.00, exact 0.01
    [4_110_885n, 390_000n, 2, 3_720_000n, 885n], // 4.110885 → 4.11, 0.39: net 3.72, remainder 0.000885
    [1_004_999n, 0n, 2, 1_000_000n, 4_999n], // just under half: rounded down
    [1_005_001n, 0n, 2, 1_010_000n, -4_999n], // just over half: rounded up
    [500_000n, 1_500_000n, 0, -2_000_000n, 1_000_000n], // JPY: 0.5 → 0, 1.5 → 2, one whole yen
    [0n, 0n, 2, 0n, 0n],
  ])('issued %i, reimbursed %i micros (exponent %i): net %i, remainder %i', (issued, reimbursed, exponent, net, remainder) => {
    expect(netPosition(rounded(issued, exponent), rounded(reimbursed, exponent))).toEqual({ net, remainder });
  });

  it('keeps the remainder within one minor unit on any pair of lines (seeded)', () => {
    const seed = Number(process.env.TEST_SEED ?? 20_261_130);
    const next = rng(seed);
    const micros = () => BigInt(Math.floor(next() * 1e6)) * 1_000_000n + BigInt(Math.floor(next() * 1e6));
    let whole = 0;
    for (let i = 0; i < 2000; i++) {
      // Half the draws are ties at the minor unit (x.xx5), where rounding moves a line by exactly half.
      const a = i % 2 ? micros() : (micros() / 10_000n) * 10_000n + 5_000n;
      const b = i % 2 ? micros() : (micros() / 10_000n) * 10_000n + 5_000n;
      const { net, remainder } = netPosition(rounded(a, 2), rounded(b, 2));
      expect(net, `seed ${seed}`).toBe(roundHalfEven(a, 2) - roundHalfEven(b, 2));
      expect(net + remainder, `seed ${seed}`).toBe(a - b);
      expect(remainder <= 10_000n && remainder >= -10_000n, `seed ${seed}: ${a} ${b}`).toBe(true);
      if (remainder === 10_000n || remainder === -10_000n) whole++;
    }
    expect(whole, `seed ${seed}`).toBeGreaterThan(0);
  });
});
