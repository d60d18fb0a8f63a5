import { describe, expect, it } from 'vitest';
import { REFERRAL_CODE_LENGTH, generateReferralCode, normalizeReferralCode } from '../domain/referral-code';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('generateReferralCode', () => {
  it('produces 8 characters of Crockford base32 without I, L, O or U', () => {
    expect(REFERRAL_CODE_LENGTH).toBe(8);
    for (let i = 0; i < 2_000; i++) {
      const code = generateReferralCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(code).not.toMatch(/[ILOU]/);
    }
  });

  it('uses the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i++) for (const ch of generateReferralCode()) seen.add(ch);
    expect([...seen].sort().join('')).toBe([...ALPHABET].sort().join(''));
  });

  it('produces codes that normalise to themselves', () => {
    for (let i = 0; i < 1_000; i++) {
      const code = generateReferralCode();
      expect(normalizeReferralCode(code)).toBe(code);
      expect(normalizeReferralCode(code.toLowerCase())).toBe(code);
      expect(normalizeReferralCode(`  ${code.slice(0, 4)}-${code.slice(4)}  `)).toBe(code);
    }
  });
});

describe('normalizeReferralCode', () => {
  it('upper-cases lowercase input', () => {
    expect(normalizeReferralCode('abcdefgh')).toBe('ABCDEFGH');
    expect(normalizeReferralCode('x7k2m9pq')).toBe('X7K2M9PQ');
  });

  it('maps O to 0 and I and L to 1, in either case', () => {
    expect(normalizeReferralCode('OOOOOOOO')).toBe('00000000');
    expect(normalizeReferralCode('oooooooo')).toBe('00000000');
    expect(normalizeReferralCode('IIIIIIII')).toBe('11111111');
    expect(normalizeReferralCode('llllllll')).toBe('11111111');
    expect(normalizeReferralCode('iLoIlOab')).toBe('110110AB');
  });

  it('trims surrounding whitespace and drops hyphens', () => {
    expect(normalizeReferralCode('  ABCD-EFGH  ')).toBe('ABCDEFGH');
    expect(normalizeReferralCode('AB-CD-EF-GH')).toBe('ABCDEFGH');
    expect(normalizeReferralCode('\tabcd-efgh\n')).toBe('ABCDEFGH');
  });

  it('refuses wrong lengths', () => {
    expect(normalizeReferralCode('')).toBeNull();
    expect(normalizeReferralCode('ABCDEFG')).toBeNull();
    expect(normalizeReferralCode('ABCDEFGHJ')).toBeNull();
    expect(normalizeReferralCode('ABCD-EFG')).toBeNull();
    expect(normalizeReferralCode('--------')).toBeNull();
  });

  it('refuses characters outside the alphabet', () => {
    expect(normalizeReferralCode('ABCDEFGU')).toBeNull();
    expect(normalizeReferralCode('abcdefgu')).toBeNull();
    expect(normalizeReferralCode('ABCD EFGH')).toBeNull();
    expect(normalizeReferralCode('ABCD_EFG')).toBeNull();
    expect(normalizeReferralCode('ABCDEFG!')).toBeNull();
    expect(normalizeReferralCode('ABCDEFGÅ')).toBeNull();
  });
});
