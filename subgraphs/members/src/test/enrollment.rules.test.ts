import { describe, expect, it } from 'vitest';
import { expectBadInput as expectFieldError } from '../../../../test/support/errors';
import { type AppError } from '../../../../lib/src/errors';
import { DISPLAY_NAME_MAX, type EnrollmentInput, validateEnrollment } from '../domain/enrollment.rules';

const NOW = new Date('2024-06-15T12:00:00Z');

const base: EnrollmentInput = { email: 'astrid@example.no', displayName: 'Astrid Lund' };

function enroll(patch: Partial<EnrollmentInput>) {
  return validateEnrollment({ ...base, ...patch }, NOW);
}

function expectBadInput(patch: Partial<EnrollmentInput>, field: string): AppError {
  return expectFieldError(() => enroll(patch), field);
}

describe('validateEnrollment: a valid enrollment', () => {
  it('returns the normalised values', () => {
    expect(
      validateEnrollment(
        { email: '  Astrid.Lund@Example.NO ', displayName: '  Astrid Lund  ', birthDate: '1990-05-17', referralCode: 'abcd-efgh' },
        NOW,
      ),
    ).toEqual({
      email: 'Astrid.Lund@Example.NO',
      emailNormalized: 'astrid.lund@example.no',
      displayName: 'Astrid Lund',
      birthDate: '1990-05-17',
      referralCode: 'ABCDEFGH',
    });
  });

  it('treats missing, null and blank optional fields as null', () => {
    const expected = { email: 'astrid@example.no', emailNormalized: 'astrid@example.no', displayName: 'Astrid Lund', birthDate: null, referralCode: null };
    expect(enroll({})).toEqual(expected);
    expect(enroll({ birthDate: null, referralCode: null })).toEqual(expected);
    expect(enroll({ referralCode: '' })).toEqual(expected);
    expect(enroll({ referralCode: '   ' })).toEqual(expected);
  });

  it('uses the current time when no clock is passed', () => {
    expect(validateEnrollment({ ...base, birthDate: '2000-01-01' }).birthDate).toBe('2000-01-01');
  });
});

describe('validateEnrollment: display name', () => {
  it('refuses empty and whitespace-only names', () => {
    for (const displayName of ['', ' ', '   ', '\t', '\n \r\n', '\u00a0', '\u3000']) expectBadInput({ displayName }, 'displayName');
  });

  it(`accepts ${DISPLAY_NAME_MAX} characters and refuses ${DISPLAY_NAME_MAX + 1}`, () => {
    expect(DISPLAY_NAME_MAX).toBe(100);
    expect(enroll({ displayName: 'a'.repeat(100) }).displayName).toBe('a'.repeat(100));
    expectBadInput({ displayName: 'a'.repeat(101) }, 'displayName');
    expectBadInput({ displayName: 'Å'.repeat(101) }, 'displayName');
  });

  it('measures the length after trimming', () => {
    expect(enroll({ displayName: `  ${'a'.repeat(100)}  ` }).displayName).toBe('a'.repeat(100));
  });

  it('accepts a one-character name and non-ASCII letters', () => {
    expect(enroll({ displayName: 'Ø' }).displayName).toBe('Ø');
    expect(enroll({ displayName: 'Åsa Ærø-Öberg' }).displayName).toBe('Åsa Ærø-Öberg');
  });

  it('refuses control characters inside the name', () => {
    for (const ch of ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f']) {
      expectBadInput({ displayName: `Astrid${ch}Lund` }, 'displayName');
    }
  });
});

describe('validateEnrollment: email', () => {
  it('accepts ordinary addresses', () => {
    for (const email of ['a@b.no', 'first.last@example.com', 'x+tag@sub.example.co.uk', "o'brien@example.ie", 'user_1@ex-ample.se']) {
      expect(enroll({ email }).email).toBe(email);
    }
  });

  it.each([
    ['no @', 'astrid.example.no'],
    ['two @', 'astrid@lund@example.no'],
    ['no TLD', 'astrid@localhost'],
    ['one-letter TLD', 'astrid@example.n'],
    ['numeric TLD', 'astrid@example.123'],
    ['leading dot in local part', '.astrid@example.no'],
    ['trailing dot in local part', 'astrid.@example.no'],
    ['double dot in local part', 'astrid..lund@example.no'],
    ['space in local part', 'astrid lund@example.no'],
    ['space in domain', 'astrid@exam ple.no'],
    ['empty local part', '@example.no'],
    ['empty domain', 'astrid@'],
    ['domain starting with a dot', 'astrid@.example.no'],
    ['domain ending with a dot', 'astrid@example.no.'],
    ['domain label starting with a hyphen', 'astrid@-example.no'],
    ['empty', ''],
    ['whitespace', '   '],
    ['control character', 'astrid\u0000@example.no'],
  ])('refuses an address with %s', (_label, email) => {
    expectBadInput({ email }, 'email');
  });

  it('accepts 254 characters and refuses 255 or more', () => {
    const local = 'a'.repeat(64);
    const email254 = `${local}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(email254).toHaveLength(254);
    expect(enroll({ email: email254 }).email).toBe(email254);
    const email255 = `${local}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`;
    expect(email255).toHaveLength(255);
    expectBadInput({ email: email255 }, 'email');
    const email261 = `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.com`;
    expect(email261).toHaveLength(261);
    expectBadInput({ email: email261 }, 'email');
  });

  it('refuses a local part longer than 64 characters', () => {
    expect(enroll({ email: `${'a'.repeat(64)}@example.no` }).email).toHaveLength(64 + 11);
    expectBadInput({ email: `${'a'.repeat(65)}@example.no` }, 'email');
  });

  it('checks the email before the display name', () => {
    expectBadInput({ email: 'nope', displayName: '' }, 'email');
  });
});

describe('validateEnrollment: birth date', () => {
  it('accepts real past dates, today, and 1900-01-01', () => {
    for (const birthDate of ['1990-05-17', '2024-02-29', '2000-02-29', '1900-01-01', '2024-06-15', '2024-06-14']) {
      expect(enroll({ birthDate }).birthDate).toBe(birthDate);
    }
  });

  it('refuses dates that do not exist', () => {
    for (const birthDate of ['2023-02-29', '1900-02-29', '2023-04-31', '2023-13-01', '2023-00-10', '2023-01-00', '2023-01-32']) {
      const error = expectBadInput({ birthDate }, 'birthDate');
      expect(error.message).toBe('birthDate: must be a date YYYY-MM-DD');
    }
  });

  it('refuses future dates', () => {
    for (const birthDate of ['2024-06-16', '2025-01-01', '9999-12-31']) {
      const error = expectBadInput({ birthDate }, 'birthDate');
      expect(error.message).toBe('birthDate: must be a past date after 1900');
    }
  });

  it('refuses dates before 1900', () => {
    for (const birthDate of ['1899-12-31', '1800-06-01', '0050-01-01', '0000-01-01']) {
      expectBadInput({ birthDate }, 'birthDate');
    }
  });

  it('refuses malformed dates', () => {
    for (const birthDate of ['', '2023-1-1', '23-01-01', '2023/01/01', '01-01-2023', '20230101', '2023-01-01T00:00:00Z', ' 2023-01-01', 'yesterday', '2023-0a-01']) {
      const error = expectBadInput({ birthDate }, 'birthDate');
      expect(error.message).toBe('birthDate: must be a date YYYY-MM-DD');
    }
  });
});

describe('validateEnrollment: referral code', () => {
  it('normalises lowercase, hyphens and the O/I/L look-alikes', () => {
    expect(enroll({ referralCode: 'abcd-efgh' }).referralCode).toBe('ABCDEFGH');
    expect(enroll({ referralCode: 'OIL0-1234' }).referralCode).toBe('01101234');
    expect(enroll({ referralCode: ' oilx7k2m ' }).referralCode).toBe('011X7K2M');
  });

  it('refuses codes of the wrong length or with foreign characters', () => {
    for (const referralCode of ['ABCDEFG', 'ABCDEFGHJ', 'A', 'ABCDEFGU', 'ABCD EFGH', 'ABCD*FGH']) {
      const error = expectBadInput({ referralCode }, 'referralCode');
      expect(error.message).toBe('referralCode: is not a valid referral code');
    }
  });
});
