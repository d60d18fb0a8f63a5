import { type EntityManager } from 'typeorm';
import { sql } from './db';

/**
 * What one subgraph holds about one member, read for the member's data export (GDPR art. 15 and 20).
 * Each subgraph lists its member-related tables as sections, one SELECT each taking the member id as $1,
 * in its own persistence/member-data.repository.ts: a new table is one more line there. The audit log
 * and the idempotency keys every subgraph keeps are the two sections below, shared by all.
 */
export interface MemberDataSection {
  /** The section's name in the export document (a table's name, usually). */
  name: string;
  /** One SELECT with the member id as $1, in a stable order; secrets (hashes of codes) left out. */
  sql: string;
}

/** Audit rows about the member: calls the member made, and calls by others naming the member. */
export const AUDIT_SECTION: MemberDataSection = {
  name: 'audit_log',
  sql: `SELECT id::text, occurred_at, request_id, operation, target_id, subject, partner_id, member_id, charity_id, idempotency_key, outcome
          FROM audit_log WHERE member_id = $1 OR target_id = $1 ORDER BY id`,
};

/** Idempotency keys of the member's own calls (kept 48 hours), with the answers stored for their retries. */
export const IDEMPOTENCY_SECTION: MemberDataSection = {
  name: 'idempotency_keys',
  sql: `SELECT operation, key, response, created_at FROM idempotency_keys WHERE caller LIKE '%|' || $1::text ORDER BY created_at, operation, key`,
};

/**
 * Runs each section's SELECT in one read-only snapshot (REPEATABLE READ), so the sections agree with each
 * other, and returns `{ <section>: rows }` as plain JSON (times as ISO 8601 strings, bigints as strings).
 */
export async function readMemberData(manager: EntityManager, memberId: string, sections: readonly MemberDataSection[]): Promise<Record<string, unknown[]>> {
  return manager.connection.transaction('REPEATABLE READ', async (tx) => {
    const out: Record<string, unknown[]> = {};
    for (const section of sections) {
      const { rows } = await sql(tx, section.sql, [memberId]);
      out[section.name] = JSON.parse(JSON.stringify(rows)) as unknown[];
    }
    return out;
  });
}
