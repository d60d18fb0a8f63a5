import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { type DataSource, type EntityManager } from 'typeorm';
import { AppError, claimCte, claimCteParams, createDataSource, idempotent, IDEMPOTENCY_TABLE_DDL, lostClaim, sql } from '../src';

let dataSource: DataSource;
beforeAll(async () => {
  dataSource = createDataSource({ url: inject('databaseUrl'), schema: 'idempotency_test', entities: [], migrations: [], poolSize: 4 });
  await dataSource.initialize();
  await dataSource.query('DROP SCHEMA IF EXISTS idempotency_test CASCADE');
  await dataSource.query('CREATE SCHEMA idempotency_test');
  await dataSource.query(`SET search_path TO idempotency_test; ${IDEMPOTENCY_TABLE_DDL}`);
});
afterAll(async () => {
  await dataSource?.query('DROP SCHEMA IF EXISTS idempotency_test CASCADE');
  await dataSource?.destroy();
});

const lockTimeout = async (manager: EntityManager) => (await sql<{ lock_timeout: string }>(manager, 'SHOW lock_timeout')).rows[0].lock_timeout;
const request = (key: string, input: unknown = { points: 5 }) => ({ caller: 'sub|tenant', operation: 'test', key, input });
const code = (error: unknown) => (error instanceof AppError ? error.code : error);

/** An original request that has claimed `key` and runs until released. */
async function holdKey(key: string) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let claimed!: () => void;
  const claim = new Promise<void>((resolve) => (claimed = resolve));
  const original = dataSource.transaction((m) =>
    idempotent(m, request(key), async () => {
      claimed();
      await held;
      return { by: 'original' };
    }),
  );
  await claim;
  return { original, release };
}

describe('idempotent()', () => {
  it('runs the effect once, answers a retry from the stored result, and lifts the claim lock timeout before the effect', async () => {
    const key = randomUUID();
    let runs = 0;
    const effect = (manager: EntityManager) => async () => {
      runs += 1;
      expect(await lockTimeout(manager)).toBe('0'); // the effect's own lock waits are not cut short at 5 s
      return { n: runs };
    };
    const first = await dataSource.transaction((m) => idempotent(m, request(key), effect(m)));
    const retry = await dataSource.transaction(async (m) => {
      const outcome = await idempotent(m, request(key), effect(m));
      expect(await lockTimeout(m)).toBe('0'); // a replay restores it too
      return outcome;
    });
    expect(first).toEqual({ result: { n: 1 }, replayed: false });
    expect(retry).toEqual({ result: { n: 1 }, replayed: true });
    expect(runs).toBe(1);
  });

  it('refuses the same key with another input as IDEMPOTENCY_KEY_REUSED, and writes nothing', async () => {
    const key = randomUUID();
    await dataSource.transaction((m) => idempotent(m, request(key, { points: 5 }), async () => ({ ok: true })));
    const reused = await dataSource.transaction((m) => idempotent(m, request(key, { points: 6 }), async () => ({ ok: false }))).catch(code);
    expect(reused).toBe('IDEMPOTENCY_KEY_REUSED');
    const stored = await sql<{ response: unknown }>(dataSource.manager, 'SELECT response FROM idempotency_keys WHERE key = $1', [key]);
    expect(stored.rows).toEqual([{ response: { ok: true } }]);
  });

  it('makes a duplicate wait for the original and answer its result; rolled back, the original leaves the key free', async () => {
    const key = randomUUID();
    const { original, release } = await holdKey(key);
    const duplicate = dataSource.transaction((m) => idempotent(m, request(key), async () => ({ by: 'duplicate' })));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the duplicate is now waiting on the key
    release();
    expect(await original).toEqual({ result: { by: 'original' }, replayed: false });
    expect(await duplicate).toEqual({ result: { by: 'original' }, replayed: true });

    const rolledBack = randomUUID();
    await dataSource.transaction((m) => idempotent(m, request(rolledBack), async () => Promise.reject(new Error('effect failed')))).catch(() => undefined);
    expect(await dataSource.transaction((m) => idempotent(m, request(rolledBack), async () => ({ by: 'second' })))).toEqual({ result: { by: 'second' }, replayed: false });
  });

  it('gives up on an original still running after 5 s with IDEMPOTENCY_KEY_IN_USE', async () => {
    const key = randomUUID();
    const { original, release } = await holdKey(key);
    const started = performance.now();
    const duplicate = await dataSource.transaction((m) => idempotent(m, request(key), async () => ({ by: 'duplicate' }))).catch(code);
    const waited = performance.now() - started;
    release();
    expect(duplicate).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(waited).toBeGreaterThanOrEqual(4_900);
    expect(waited).toBeLessThan(9_000);
    expect(await original).toEqual({ result: { by: 'original' }, replayed: false });
  }, 20_000);
});

describe('claimCte() and lostClaim(): the claim inside a hot write\'s own statement', () => {
  const claimed = (m: EntityManager, key: string, response: object, input: unknown = { points: 5 }) =>
    sql<{ restored: string }>(m, `WITH ${claimCte(1)} SELECT restored FROM claim`, claimCteParams(request(key, input), response));

  it('stores the answer with the claim, lifts the 5 s wait once claimed, and a duplicate gets the original answer', async () => {
    const key = randomUUID();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const claimedOnce = new Promise<void>((resolve) => (inside = resolve));
    const original = dataSource.transaction(async (m) => {
      const { rows } = await claimed(m, key, { id: 'original' });
      expect(rows).toHaveLength(1);
      expect(await lockTimeout(m)).toBe('0');
      inside();
      await held;
    });
    await claimedOnce;
    const duplicate = dataSource.transaction(async (m) => {
      const { rows } = await claimed(m, key, { id: 'duplicate' });
      expect(rows).toHaveLength(0);
      return lostClaim<{ id: string }>(m, request(key));
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the duplicate is now waiting on the key
    release();
    await original;
    expect(await duplicate).toEqual({ id: 'original' });
    const stored = await sql<{ response: unknown }>(dataSource.manager, 'SELECT response FROM idempotency_keys WHERE key = $1', [key]);
    expect(stored.rows).toEqual([{ response: { id: 'original' } }]);
    // Another input with the key: IDEMPOTENCY_KEY_REUSED.
    const reused = await dataSource
      .transaction(async (m) => {
        await claimed(m, key, { id: 'other' }, { points: 6 });
        return lostClaim(m, request(key, { points: 6 }));
      })
      .catch(code);
    expect(reused).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('validates the key before anything is sent', () => {
    expect(() => claimCteParams(request('has space'), {})).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
