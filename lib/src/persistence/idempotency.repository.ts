import { type EntityManager } from 'typeorm';
import { sql } from './db';

/** One idempotency key as the caller, operation and key name it. */
export interface KeyRef {
  caller: string;
  operation: string;
  key: string;
}

/**
 * Claims the key for a new request: true when this request inserted it. One round trip: the claim waits at
 * most 5 s on a duplicate still running (set_config is evaluated as the row is produced, before the insert
 * can wait on the key), and a claimed key puts the limit back (RETURNING runs only for the inserted row). A
 * lost claim leaves the 5 s in force for `readClaimedKey`, which restores it. Throws lock_not_available
 * (55P03) when the duplicate is still running after 5 s.
 */
export async function claimKey(manager: EntityManager, ref: KeyRef, requestHash: string): Promise<boolean> {
  const { rows } = await sql(
    manager,
    `INSERT INTO idempotency_keys (caller, operation, key, request_hash, response)
     SELECT $1, $2, $3, $4, 'null'::jsonb FROM (SELECT set_config('lock_timeout', '5s', true)) AS wait_at_most
     ON CONFLICT DO NOTHING RETURNING set_config('lock_timeout', '0', true) AS restored`,
    [ref.caller, ref.operation, ref.key, requestHash],
  );
  return rows.length === 1;
}

/**
 * For a hot write whose answer is known before it runs (its ids chosen up front), the claim of
 * `idempotent` folded into the caller's own statement, so that nothing is written after the effect: a
 * CTE named `claim` that inserts the key with its response already in place, waiting at most 5 s on a
 * duplicate still running and putting the limit back once claimed, as `claimKey` does. It takes its
 * values from the five parameters from `$first` on, as lib's `claimCteParams` lists them. The statement must
 * read `claim` before anything else it locks (a row: claimed, the key commits with the effect; none:
 * answer with lib's `lostClaim`, in the same transaction).
 */
export function claimCte(first: number): string {
  const $ = (i: number) => `$${first + i}`;
  return `claim AS (
       INSERT INTO idempotency_keys (caller, operation, key, request_hash, response)
       SELECT ${$(0)}, ${$(1)}, ${$(2)}, ${$(3)}, ${$(4)}::jsonb FROM (SELECT set_config('lock_timeout', '5s', true)) AS wait_at_most
       ON CONFLICT DO NOTHING RETURNING set_config('lock_timeout', '0', true) AS restored)`;
}

/** The stored request hash and response of a key another request claimed, lifting the claim's 5 s wait. */
export async function readClaimedKey<R>(manager: EntityManager, ref: KeyRef): Promise<{ request_hash: string; response: R } | undefined> {
  const { rows } = await sql<{ request_hash: string; response: R }>(
    manager,
    `SELECT request_hash, response, set_config('lock_timeout', '0', true) AS restored FROM idempotency_keys WHERE caller = $1 AND operation = $2 AND key = $3`,
    [ref.caller, ref.operation, ref.key],
  );
  return rows[0];
}

/** The stored request hash and response of a key, if any (no waiting). */
export async function findKey<R>(manager: EntityManager, ref: KeyRef): Promise<{ request_hash: string; response: R | null } | undefined> {
  const { rows } = await sql<{ request_hash: string; response: R | null }>(
    manager,
    'SELECT request_hash, response FROM idempotency_keys WHERE caller = $1 AND operation = $2 AND key = $3',
    [ref.caller, ref.operation, ref.key],
  );
  return rows[0];
}

/** Stores the claimed request's response (inside the effect's transaction). */
export async function storeResponse(manager: EntityManager, ref: KeyRef, response: unknown): Promise<void> {
  await sql(manager, `UPDATE idempotency_keys SET response = $4 WHERE caller = $1 AND operation = $2 AND key = $3`, [
    ref.caller,
    ref.operation,
    ref.key,
    JSON.stringify(response),
  ]);
}

/** Deletes keys older than `hours`; returns how many. */
export async function deleteKeysOlderThan(manager: EntityManager, hours: number): Promise<number> {
  const { rowCount } = await sql(manager, `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [hours]);
  return rowCount;
}
