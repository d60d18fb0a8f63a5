import { createHash } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { AppError, badInput } from './errors';
import { PgCodes, pgCode } from './persistence/db';
import { claimKey, deleteKeysOlderThan, findKey, readClaimedKey, storeResponse } from './persistence/idempotency.repository';

export { claimCte } from './persistence/idempotency.repository';
import { type Viewer } from './auth';

/** How long keys are kept. The contract promises at least 24 hours; we keep 48. */
export const IDEMPOTENCY_RETENTION_HOURS = 48;

/** DDL for the table each subgraph keeps in its own schema (used by the subgraphs' first migrations). */
export const IDEMPOTENCY_TABLE_DDL = `
  CREATE TABLE idempotency_keys (
    caller       text        NOT NULL,
    operation    text        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    response     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, operation, key)
  );
  CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);`;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Keys are 1 to 255 printable ASCII characters (no spaces or control characters). */
export function validateIdempotencyKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw badInput('idempotencyKey', 'must be 1 to 255 printable ASCII characters');
}

/** Keys are scoped to the caller: the token subject plus the tenant it acts for. */
export function callerOf(viewer: Viewer): string {
  const tenant = viewer.partnerId ?? viewer.memberId ?? viewer.charityId ?? '';
  return `${viewer.subject}|${tenant}`;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k, v]) => k !== 'idempotencyKey' && v !== undefined && v !== null)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** SHA-256 of the input with sorted keys, excluding the idempotency key itself; null and absent are the same. */
export function requestHash(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(input))).digest('hex');
}

export interface IdempotentRequest {
  caller: string;
  operation: string;
  key: string;
  input: unknown;
}

/**
 * Runs `effect` at most once per (caller, operation, key) inside the caller's transaction `manager`.
 * The key row is inserted in the same transaction as the effect, so both commit or neither does.
 * A duplicate that races the original waits on the key's unique index, then returns the stored result.
 * Raises IDEMPOTENCY_KEY_REUSED (different input) and IDEMPOTENCY_KEY_IN_USE (original still running
 * after 5 s).
 */
export async function idempotent<R extends object>(
  manager: EntityManager,
  request: IdempotentRequest,
  effect: () => Promise<R>,
): Promise<{ result: R; replayed: boolean }> {
  validateIdempotencyKey(request.key);
  const hash = requestHash(request.input);
  let inserted: boolean;
  try {
    inserted = await claimKey(manager, request, hash);
  } catch (error) {
    if (pgCode(error) === PgCodes.lockNotAvailable) throw new AppError('IDEMPOTENCY_KEY_IN_USE');
    throw error;
  }
  if (!inserted) {
    const stored = await readClaimedKey<R>(manager, request);
    if (!stored) throw new AppError('IDEMPOTENCY_KEY_IN_USE');
    if (stored.request_hash !== hash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
    return { result: stored.response, replayed: true };
  }
  const result = await effect();
  await storeResponse(manager, request, result);
  return { result, replayed: false };
}

/** The parameters of `claimCte`, in order; validates the key first (BAD_USER_INPUT). */
export function claimCteParams(request: IdempotentRequest, response: object): unknown[] {
  validateIdempotencyKey(request.key);
  return [request.caller, request.operation, request.key, requestHash(request.input), JSON.stringify(response)];
}

/**
 * The answer to a request whose `claimCte` claimed nothing: the stored response of the same input, or
 * IDEMPOTENCY_KEY_REUSED (another input), IDEMPOTENCY_KEY_IN_USE (still running after 5 s).
 */
export async function lostClaim<R>(manager: EntityManager, request: IdempotentRequest): Promise<R> {
  const stored = await readClaimedKey<R>(manager, request);
  if (!stored) throw new AppError('IDEMPOTENCY_KEY_IN_USE');
  if (stored.request_hash !== requestHash(request.input)) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return stored.response;
}

/** For operations whose key is optional (onboarding): idempotent when a key is given, plain otherwise. */
export async function idempotentIfKeyed<R extends object>(
  manager: EntityManager,
  request: Omit<IdempotentRequest, 'key'> & { key?: string | null },
  effect: () => Promise<R>,
): Promise<R> {
  if (request.key == null) return effect();
  return (await idempotent(manager, { ...request, key: request.key }, effect)).result;
}

/** Deletes keys past retention; each subgraph runs it hourly. */
export async function purgeIdempotencyKeys(manager: EntityManager): Promise<number> {
  return deleteKeysOlderThan(manager, IDEMPOTENCY_RETENTION_HOURS);
}

/**
 * A retry answered before any work: the stored result of a completed request with this key, null when
 * the key is new (or its request is still running, which `idempotent` then waits for). Raises
 * IDEMPOTENCY_KEY_REUSED when the key was used with another input.
 */
export async function storedResult<R>(manager: EntityManager, request: IdempotentRequest): Promise<R | null> {
  const stored = await findKey<R>(manager, request);
  if (!stored) return null;
  if (stored.request_hash !== requestHash(request.input)) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return stored.response;
}
