import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/support/random';
import { AppError } from '../src/errors';
import { requestHash, validateIdempotencyKey } from '../src/idempotency';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');


function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Rebuilds an object (recursively) with its keys inserted in a random order. */
function reordered(value: unknown, next: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => reordered(v, next));
  if (value && typeof value === 'object') {
    return Object.fromEntries(shuffled(Object.entries(value), next).map(([k, v]) => [k, reordered(v, next)]));
  }
  return value;
}

const earnInput = {
  idempotencyKey: 'order-1001',
  memberId: '123e4567-e89b-12d3-a456-426614174000',
  purchase: { amount: '249.90', currency: 'NOK' },
  reference: 'receipt 1001',
};

describe('requestHash', () => {
  it('is the hex SHA-256 of the canonical JSON (sorted keys, no idempotencyKey)', () => {
    expect(requestHash({ b: 1, a: 2 })).toBe(sha256('{"a":2,"b":1}'));
    expect(requestHash(earnInput)).toBe(
      sha256('{"memberId":"123e4567-e89b-12d3-a456-426614174000","purchase":{"amount":"249.90","currency":"NOK"},"reference":"receipt 1001"}'),
    );
    expect(requestHash(earnInput)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order, at any depth', () => {
    expect(requestHash({ a: 1, b: 2 })).toBe(requestHash({ b: 2, a: 1 }));
    expect(requestHash({ x: { b: 1, a: { d: 4, c: 3 } }, y: [{ q: 1, p: 2 }] })).toBe(
      requestHash({ y: [{ p: 2, q: 1 }], x: { a: { c: 3, d: 4 }, b: 1 } }),
    );
    const next = rng(8);
    const reference = requestHash(earnInput);
    for (let i = 0; i < 200; i++) expect(requestHash(reordered(earnInput, next))).toBe(reference);
  });

  it('excludes the idempotency key', () => {
    const { idempotencyKey: _key, ...withoutKey } = earnInput;
    expect(requestHash(earnInput)).toBe(requestHash({ ...earnInput, idempotencyKey: 'another-key' }));
    expect(requestHash(earnInput)).toBe(requestHash(withoutKey));
  });

  it('treats undefined and null fields as absent (GraphQL gives an omitted optional input either way)', () => {
    expect(requestHash({ a: 1, b: undefined })).toBe(requestHash({ a: 1 }));
    expect(requestHash({ a: 1, b: null })).toBe(requestHash({ a: 1 }));
    expect(requestHash({ a: 1, b: 0 })).not.toBe(requestHash({ a: 1 }));
  });

  it('differs when any value differs', () => {
    const base = requestHash(earnInput);
    expect(requestHash({ ...earnInput, purchase: { amount: '249.91', currency: 'NOK' } })).not.toBe(base);
    expect(requestHash({ ...earnInput, purchase: { amount: '249.90', currency: 'SEK' } })).not.toBe(base);
    expect(requestHash({ ...earnInput, reference: 'receipt 1002' })).not.toBe(base);
    expect(requestHash({ ...earnInput, memberId: '123e4567-e89b-12d3-a456-426614174001' })).not.toBe(base);
    expect(requestHash({ ...earnInput, extra: true })).not.toBe(base);
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: '1' }));
    expect(requestHash({ a: [1, 2] })).not.toBe(requestHash({ a: [2, 1] }));
    expect(requestHash({ a: { b: 1 } })).not.toBe(requestHash({ a: { b: 2 } }));
    expect(requestHash({ a: { b: 1 } })).not.toBe(requestHash({ b: { a: 1 } }));
  });

  it('gives distinct hashes for distinct random amounts', () => {
    const next = rng(77);
    const hashes = new Map<string, string>();
    for (let i = 0; i < 1_000; i++) {
      const amount = `${Math.floor(next() * 1_000_000)}.${String(Math.floor(next() * 100)).padStart(2, '0')}`;
      const hash = requestHash({ ...earnInput, purchase: { amount, currency: 'NOK' } });
      const previous = hashes.get(hash);
      if (previous !== undefined) expect(previous).toBe(amount);
      hashes.set(hash, amount);
    }
  });

  it('hashes scalars, arrays and class instances', () => {
    expect(requestHash('x')).toBe(sha256('"x"'));
    expect(requestHash(null)).toBe(sha256('null'));
    expect(requestHash([{ b: 1, a: 2 }])).toBe(sha256('[{"a":2,"b":1}]'));
    class Input {
      constructor(
        public readonly b: number,
        public readonly a: number,
      ) {}
    }
    expect(requestHash(new Input(1, 2))).toBe(requestHash({ a: 2, b: 1 }));
  });
});

function expectRefused(key: string): void {
  let error: unknown;
  try {
    validateIdempotencyKey(key);
  } catch (e) {
    error = e;
  }
  expect(error, `key ${JSON.stringify(key)} should be refused`).toBeInstanceOf(AppError);
  expect((error as AppError).extensions.code).toBe('BAD_USER_INPUT');
  expect((error as AppError).extensions.field).toBe('idempotencyKey');
}

describe('validateIdempotencyKey', () => {
  it('accepts 1 and 255 printable ASCII characters', () => {
    expect(() => validateIdempotencyKey('a')).not.toThrow();
    expect(() => validateIdempotencyKey('x'.repeat(255))).not.toThrow();
    expect(() => validateIdempotencyKey('order-1001:retry_2/#~')).not.toThrow();
    expect(() => validateIdempotencyKey('123e4567-e89b-12d3-a456-426614174000')).not.toThrow();
  });

  it('accepts every printable ASCII character other than the space', () => {
    for (let code = 0x21; code <= 0x7e; code++) expect(() => validateIdempotencyKey(String.fromCharCode(code))).not.toThrow();
  });

  it('accepts random printable keys of length 1..255', () => {
    const next = rng(3);
    for (let i = 0; i < 500; i++) {
      const length = 1 + Math.floor(next() * 255);
      let key = '';
      for (let j = 0; j < length; j++) key += String.fromCharCode(0x21 + Math.floor(next() * 94));
      expect(() => validateIdempotencyKey(key)).not.toThrow();
    }
  });

  it('refuses the empty key and keys of 256 or more characters', () => {
    expectRefused('');
    expectRefused('x'.repeat(256));
    expectRefused('x'.repeat(1_000));
  });

  it('refuses spaces, control characters and non-ASCII anywhere in the key', () => {
    for (const bad of [' ', '\t', '\n', '\r', '\u0000', '\u001f', '\u007f', '\u0080', '\u00a0', 'é', 'ø', '€', '\u2028', '😀']) {
      expectRefused(bad);
      expectRefused(`key${bad}`);
      expectRefused(`${bad}key`);
      expectRefused(`ke${bad}y`);
    }
    // A 255-character key that is otherwise fine but has one bad character.
    expectRefused(`${'x'.repeat(254)} `);
  });
});
