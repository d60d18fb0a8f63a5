import { type EntityManager } from 'typeorm';
import { sql } from './db';

/** The columns of one audit row as written (see audit.ts for when and why rows are written). */
export interface AuditRow {
  requestId: string;
  operation: string;
  targetId: string | null;
  subject: string;
  partnerId: string | null;
  memberId: string | null;
  charityId: string | null;
  idempotencyKey: string | null;
  outcome: string;
}

export interface StoredAuditRow extends AuditRow {
  id: string;
  occurredAt: Date;
}

/** Appends one row to the subgraph's audit_log (its own schema, on `manager`'s connection). */
export async function insertAuditRow(manager: EntityManager, row: AuditRow): Promise<void> {
  await sql(
    manager,
    `INSERT INTO audit_log (request_id, operation, target_id, subject, partner_id, member_id, charity_id, idempotency_key, outcome)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [row.requestId, row.operation, row.targetId, row.subject, row.partnerId, row.memberId, row.charityId, row.idempotencyKey, row.outcome],
  );
}

/** Newest first: up to `limit` rows older than cursor `after`, of one partner and one operation when given. */
export async function auditRows(
  manager: EntityManager,
  filter: { partnerId: string | null; after: string | null; operation: string | null; limit: number },
): Promise<StoredAuditRow[]> {
  const { rows } = await sql<{
    id: string;
    occurred_at: Date;
    request_id: string;
    operation: string;
    target_id: string | null;
    subject: string;
    partner_id: string | null;
    member_id: string | null;
    charity_id: string | null;
    idempotency_key: string | null;
    outcome: string;
  }>(
    manager,
    `SELECT id::text, occurred_at, request_id, operation, target_id, subject, partner_id, member_id, charity_id, idempotency_key, outcome
       FROM audit_log
      WHERE ($1::uuid IS NULL OR partner_id = $1) AND ($2::bigint IS NULL OR id < $2) AND ($3::text IS NULL OR operation = $3)
      ORDER BY id DESC LIMIT $4`,
    [filter.partnerId, filter.after, filter.operation, filter.limit],
  );
  return rows.map((r) => ({
    id: r.id,
    occurredAt: r.occurred_at,
    requestId: r.request_id,
    operation: r.operation,
    targetId: r.target_id,
    subject: r.subject,
    partnerId: r.partner_id,
    memberId: r.member_id,
    charityId: r.charity_id,
    idempotencyKey: r.idempotency_key,
    outcome: r.outcome,
  }));
}
