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

/**
 * One statement of a subgraph's part of an erasure, with $1 the member id and $2 the erasure id: replaces
 * or removes personal data in one of its tables (each subgraph lists them beside its export sections).
 */
export interface MemberErasureStatement {
  name: string;
  sql: string;
}

/** An erased value: `erased:` and the SHA-256 of the text, so equal values stay equal and nothing readable is left. */
export const ERASED_HASH = (column: string): string => `'erased:' || encode(sha256(convert_to(${column}, 'UTF8')), 'hex')`;

/**
 * Records the erasure in this subgraph, first thing in its transaction: false when it was carried out
 * already (a concurrent call waits here on the primary key until the first one commits or rolls back).
 */
export async function recordMemberErasure(manager: EntityManager, erasureId: string, memberId: string): Promise<boolean> {
  const { rowCount } = await sql(manager, 'INSERT INTO member_erasures (erasure_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING erasure_id', [erasureId, memberId]);
  return rowCount > 0;
}

/**
 * The audit log after an erasure: every row the person made (as the member, or under one of their token
 * subjects before the member existed) names them as `erased:<erasure id>` instead of their token subject, and
 * its idempotency key is kept only as a hash. Rows stay in place (who did what, when, with what outcome).
 */
export async function eraseAuditSubjects(manager: EntityManager, erasureId: string, memberId: string, subjects: readonly string[]): Promise<number> {
  const { rowCount } = await sql(
    manager,
    `UPDATE audit_log SET subject = 'erased:' || $2::text,
            idempotency_key = CASE WHEN idempotency_key IS NULL THEN NULL ELSE ${ERASED_HASH('idempotency_key')} END
      WHERE (member_id = $1 OR subject = ANY($3::text[])) AND subject NOT LIKE 'erased:%'`,
    [memberId, erasureId, [...subjects]],
  );
  return rowCount;
}

/** Forgets the idempotency keys of the person's own calls (their answers may hold personal data): a retry is no longer answered. */
export async function forgetIdempotencyKeys(manager: EntityManager, memberId: string, subjects: readonly string[]): Promise<number> {
  const { rowCount } = await sql(
    manager,
    `DELETE FROM idempotency_keys WHERE caller LIKE '%|' || $1::text OR EXISTS (SELECT 1 FROM unnest($2::text[]) s WHERE starts_with(caller, s || '|'))`,
    [memberId, [...subjects]],
  );
  return rowCount;
}

/** Runs a subgraph's erasure statements in the caller's transaction. */
export async function runErasureStatements(manager: EntityManager, erasureId: string, memberId: string, statements: readonly MemberErasureStatement[]): Promise<void> {
  // PostgreSQL refuses more parameters than a statement uses: $2 only where it is used.
  for (const s of statements) await sql(manager, s.sql, s.sql.includes('$2') ? [memberId, erasureId] : [memberId]);
}
