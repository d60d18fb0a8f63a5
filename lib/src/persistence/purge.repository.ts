import { type EntityManager } from 'typeorm';
import { IDEMPOTENCY_RETENTION_HOURS } from '../idempotency';
import { sql } from './db';

/**
 * One kind of row the purge job removes (jobs/purge.job.ts): `statement` deletes at most `$1` rows that no
 * one needs any more, skipping rows another transaction holds (FOR UPDATE SKIP LOCKED), so several
 * instances purge side by side without waiting on each other or on live traffic. `params` are `$2`...
 */
export interface PurgeTarget {
  name: string;
  statement: string;
  params?: unknown[];
}

/** Idempotency keys past their retention (the contract promises 24 hours; kept 48): a live key is never touched. */
export const IDEMPOTENCY_KEYS_PURGE: PurgeTarget = {
  name: 'idempotency_keys',
  statement: `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $2) LIMIT $1 FOR UPDATE SKIP LOCKED))`,
  params: [IDEMPOTENCY_RETENTION_HOURS],
};

/** Runs one batch of `target`; answers how many rows it removed. */
export async function purgeBatch(manager: EntityManager, target: PurgeTarget, batchSize: number): Promise<number> {
  const { rowCount } = await sql(manager, target.statement, [batchSize, ...(target.params ?? [])]);
  return rowCount;
}
