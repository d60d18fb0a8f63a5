import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectBadInput } from '../../test/support/errors';
import { country, email, instant, pastDate, points, text, uuid } from '../src/validation';

describe('text', () => {
  it('trims and returns the value', () => {
    expect(text('name', '  Astrid  ', 10)).toBe('Astrid');
    expect(text('name', 'a', 1)).toBe('a');
    expect(text('name', 'Ærø', 3)).toBe('Ærø');
    expect(text('name', 'a b\u00a0c', 5)).toBe('a b\u00a0c');
  });

  it('refuses empty and whitespace-only values', () => {
    for (const value of ['', ' ', '\t\n', '\u00a0\u3000']) {
      expect(expectBadInput(() => text('input.name', value, 10), 'input.name').message).toBe('input.name: must not be empty');
    }
  });

  it('refuses values longer than max after trimming', () => {
    expect(text('name', 'x'.repeat(10), 10)).toBe('x'.repeat(10));
    expect(text('name', ` ${'x'.repeat(10)} `, 10)).toBe('x'.repeat(10));
    expect(expectBadInput(() => text('name', 'x'.repeat(11), 10), 'name').message).toBe('name: must be at most 10 characters');
  });

  it('refuses every C0 control character and DEL inside the value', () => {
    for (let code = 0; code <= 0x1f; code++) {
      expectBadInput(() => text('name', `a${String.fromCharCode(code)}b`, 10), 'name');
    }
    expect(expectBadInput(() => text('name', 'a\u007fb', 10), 'name').message).toBe('name: must not contain control characters');
  });

  it('accepts every printable ASCII character', () => {
    for (let code = 0x20; code <= 0x7e; code++) {
      const value = `a${String.fromCharCode(code)}b`;
      expect(text('name', value, 10)).toBe(value);
    }
  });
});

describe('email', () => {
  it('accepts and trims valid addresses', () => {
    expect(email('email', ' astrid@example.no ')).toBe('astrid@example.no');
    expect(email('email', 'Astrid.Lund+loyalty@mail.Example.CO.UK')).toBe('Astrid.Lund+loyalty@mail.Example.CO.UK');
  });

  it('refuses malformed addresses, naming the field', () => {
    for (const value of [
      'astrid.example.no',
      'astrid@lund@example.no',
      'astrid@localhost',
      'astrid@example.n',
      '.astrid@example.no',
      'astrid.@example.no',
      'as..trid@example.no',
      'as trid@example.no',
      'astrid@exa mple.no',
      'astrid@example..no',
      'astrid@',
      '@example.no',
      '',
    ]) {
      expectBadInput(() => email('member.email', value), 'member.email');
    }
  });

  it('refuses 255+ characters and local parts over 64', () => {
    const email254 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(email254).toHaveLength(254);
    expect(email('email', email254)).toBe(email254);
    expectBadInput(() => email('email', `${email254.slice(0, 65)}x${email254.slice(65)}`), 'email');
    expectBadInput(() => email('email', `${'a'.repeat(65)}@example.no`), 'email');
  });
});

describe('uuid', () => {
  it('accepts UUIDs and lower-cases them', () => {
    expect(uuid('id', '123e4567-e89b-12d3-a456-426614174000')).toBe('123e4567-e89b-12d3-a456-426614174000');
    expect(uuid('id', '123E4567-E89B-12D3-A456-426614174ABC')).toBe('123e4567-e89b-12d3-a456-426614174abc');
    expect(uuid('id', '00000000-0000-0000-0000-000000000000')).toBe('00000000-0000-0000-0000-000000000000');
    for (let i = 0; i < 200; i++) {
      const id = randomUUID();
      expect(uuid('id', id.toUpperCase())).toBe(id);
    }
  });

  it('refuses anything else, naming the field', () => {
    for (const value of [
      '',
      'not-a-uuid',
      '123e4567e89b12d3a456426614174000',
      '{123e4567-e89b-12d3-a456-426614174000}',
      '123e4567-e89b-12d3-a456-42661417400',
      '123e4567-e89b-12d3-a456-4266141740000',
      '123e4567-e89b-12d3-a456-42661417400g',
      ' 123e4567-e89b-12d3-a456-426614174000',
      '123e4567-e89b-12d3-a456-426614174000\n',
    ]) {
      expect(expectBadInput(() => uuid('input.memberId', value), 'input.memberId').message).toBe('input.memberId: must be a valid id');
    }
  });
});

describe('pastDate', () => {
  const now = new Date('2024-06-15T12:00:00Z');

  it('accepts existing dates from 1900-01-01 up to today', () => {
    for (const value of ['1900-01-01', '1990-05-17', '2000-02-29', '2024-02-29', '2024-06-15']) {
      expect(pastDate('birthDate', value, now)).toBe(value);
    }
  });

  it('refuses nonexistent, future, too old and malformed dates', () => {
    for (const value of ['2023-02-29', '2023-04-31', '2023-13-01', '2023-00-01', '2023-01-00']) {
      expect(expectBadInput(() => pastDate('birthDate', value, now), 'birthDate').message).toBe('birthDate: must be a date YYYY-MM-DD');
    }
    for (const value of ['2024-06-16', '2100-01-01', '1899-12-31', '1000-01-01']) {
      expect(expectBadInput(() => pastDate('birthDate', value, now), 'birthDate').message).toBe('birthDate: must be a past date after 1900');
    }
    for (const value of ['', '2023-1-1', '2023/01/01', '17.05.1990', '2023-01-01T00:00:00Z']) {
      expectBadInput(() => pastDate('birthDate', value, now), 'birthDate');
    }
  });
});

describe('points', () => {
  it('accepts whole numbers from 1 to 2^31 - 1', () => {
    expect(points('points', 1)).toBe(1);
    expect(points('points', 500)).toBe(500);
    expect(points('points', 2_147_483_647)).toBe(2_147_483_647);
  });

  it('refuses 0, negatives, fractions, 2^31 and non-finite numbers', () => {
    for (const value of [0, -1, -2_147_483_648, 1.5, 0.999, 2 ** 31, Number.MAX_SAFE_INTEGER, Number.NaN, Infinity, -Infinity]) {
      expect(expectBadInput(() => points('input.points', value), 'input.points').message).toBe('input.points: must be a whole number of at least 1');
    }
  });

  it('honours a custom minimum', () => {
    expect(points('threshold', 0, 0)).toBe(0);
    expectBadInput(() => points('threshold', -1, 0), 'threshold');
    expect(points('threshold', 100, 100)).toBe(100);
    expect(expectBadInput(() => points('threshold', 99, 100), 'threshold').message).toBe('threshold: must be a whole number of at least 100');
  });
});

describe('instant', () => {
  it('accepts ISO 8601 times with a zone', () => {
    expect(instant('at', '2026-12-01T00:00:00Z').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(instant('at', '2026-12-01T01:30+01:00').toISOString()).toBe('2026-12-01T00:30:00.000Z');
    expect(instant('at', '2026-12-01T00:00:00.123456Z').toISOString()).toBe('2026-12-01T00:00:00.123Z');
  });

  it('refuses times without a zone, impossible dates and years outside 2000..9999', () => {
    for (const value of ['2026-12-01', '2026-12-01T00:00:00', 'tomorrow', '2026-13-01T00:00:00Z', '1999-12-31T23:59:59Z', '']) {
      expectBadInput(() => instant('validFrom', value), 'validFrom');
    }
  });
});

describe('country', () => {
  it('accepts ISO 3166-1 alpha-2 codes in any case', () => {
    expect(country('country', 'NO')).toBe('NO');
    expect(country('country', ' se ')).toBe('SE');
  });

  it('refuses unknown codes, groupings and reserved codes', () => {
    for (const value of ['XX', 'QQ', 'ZZ', 'EU', 'UK', 'NOR', 'N', '', '12']) expectBadInput(() => country('country', value), 'country');
  });
});
