import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** Donations still PENDING (the reconciler's backlog) and the age of the oldest, in seconds (0 when none). */
export async function pendingDonations(manager: EntityManager): Promise<{ count: number; oldestAgeSeconds: number }> {
  const { rows } = await sql<{ count: string; oldest_age: number | null }>(
    manager,
    `SELECT count(*)::text AS count, extract(epoch FROM now() - min(created_at))::float8 AS oldest_age FROM donations WHERE status = 'PENDING'`,
  );
  return { count: Number(rows[0].count), oldestAgeSeconds: Math.max(0, rows[0].oldest_age ?? 0) };
}
