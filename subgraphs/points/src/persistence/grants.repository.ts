import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** grants and grant_imports (migration 1739410000000-grants): why each GRANT was made, and bulk files granted. */

export interface GrantRow {
  transactionId: string;
  reason: string;
  grantedBy: string;
  importId?: string | null;
  line?: number | null;
}

/** Writes the grant rows of GRANT transactions in one statement. */
export async function insertGrants(manager: EntityManager, rows: readonly GrantRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql(
    manager,
    `INSERT INTO grants (transaction_id, reason, granted_by, import_id, line)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::int[])`,
    [rows.map((r) => r.transactionId), rows.map((r) => r.reason), rows.map((r) => r.grantedBy), rows.map((r) => r.importId ?? null), rows.map((r) => r.line ?? null)],
  );
}

export interface GrantImportRow {
  id: string;
  file_sha256: string;
  funded_by: string | null;
  rows: number;
  points: string;
  created_at: Date;
}

/**
 * Claims (caller, key) for an import; answers the new row, or the import already stored under that key
 * (`created` false). A concurrent claim with the same key waits on the unique index until the first
 * commits (then finds its row) or rolls back (then claims it).
 */
export async function claimGrantImport(
  manager: EntityManager,
  i: { caller: string; key: string; fileSha256: string; fundedBy: string | null; rows: number; points: bigint },
): Promise<{ row: GrantImportRow; created: boolean }> {
  const inserted = await sql<GrantImportRow>(
    manager,
    `INSERT INTO grant_imports (caller, idempotency_key, file_sha256, funded_by, rows, points) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (caller, idempotency_key) DO NOTHING RETURNING id, file_sha256, funded_by, rows, points::text, created_at`,
    [i.caller, i.key, i.fileSha256, i.fundedBy, i.rows, i.points.toString()],
  );
  if (inserted.rows[0]) return { row: inserted.rows[0], created: true };
  const existing = await findGrantImport(manager, i.caller, i.key);
  if (!existing) throw new Error('grant import vanished');
  return { row: existing, created: false };
}

export async function findGrantImport(manager: EntityManager, caller: string, key: string): Promise<GrantImportRow | null> {
  const { rows } = await sql<GrantImportRow>(
    manager,
    'SELECT id, file_sha256, funded_by, rows, points::text, created_at FROM grant_imports WHERE caller = $1 AND idempotency_key = $2',
    [caller, key],
  );
  return rows[0] ?? null;
}

/** The GRANT transactions of an import, by CSV line. */
export async function importTransactions(manager: EntityManager, importId: string): Promise<{ line: number; transactionId: string }[]> {
  const { rows } = await sql<{ line: number; transaction_id: string }>(manager, 'SELECT line, transaction_id FROM grants WHERE import_id = $1 ORDER BY line', [importId]);
  return rows.map((r) => ({ line: r.line, transactionId: r.transaction_id }));
}
