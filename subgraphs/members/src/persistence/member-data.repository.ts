import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type MemberDataSection, type MemberErasureStatement } from '../../../../lib/src/persistence/member-data.repository';

/**
 * Everything the members subgraph holds about one member, table by table, for the member's data export
 * (the audit log and idempotency keys are added by lib's MemberDataExport). A new table about members is
 * one more line here. Other members' rows are never included (the members this one referred are theirs).
 */
export const MEMBER_DATA_SECTIONS: readonly MemberDataSection[] = [
  { name: 'member', sql: 'SELECT * FROM members WHERE id = $1' },
  { name: 'cards', sql: 'SELECT * FROM cards WHERE member_id = $1 ORDER BY issued_at, card_number' },
  { name: 'identity_links', sql: 'SELECT * FROM identity_links WHERE member_id = $1 ORDER BY linked_at, issuer, subject' },
  { name: 'member_consents', sql: 'SELECT * FROM member_consents WHERE member_id = $1 ORDER BY id' },
  { name: 'closings', sql: 'SELECT * FROM closings WHERE member_id = $1 OR target_member_id = $1 ORDER BY created_at, id' },
  { name: 'member_erasure_requests', sql: 'SELECT id, requested_at, remaining, completed_at FROM member_erasure_requests WHERE member_id = $1' },
];

/** Whether the member exists: the members subgraph is the system of record, so a missing one is NOT_FOUND. */
export async function memberExists(manager: EntityManager, memberId: string): Promise<boolean> {
  const { rowCount } = await sql(manager, 'SELECT 1 FROM members WHERE id = $1', [memberId]);
  return rowCount > 0;
}

/** The subgraphs that erase their own part of a member, each through its internal `<subgraph>EraseMember`. */
export const ERASURE_STEPS = ['points', 'donations', 'partners'] as const;
export type ErasureStep = (typeof ERASURE_STEPS)[number];

export interface ErasureRequest {
  id: string;
  memberId: string;
  subjects: string[];
  remaining: ErasureStep[];
  completedAt: Date | null;
}

function toRequest(r: { id: string; member_id: string; subjects: string[]; remaining: ErasureStep[]; completed_at: Date | null }): ErasureRequest {
  return { id: r.id, memberId: r.member_id, subjects: r.subjects, remaining: r.remaining, completedAt: r.completed_at };
}

const REQUEST_COLUMNS = 'id, member_id, subjects, remaining, completed_at';

/** The member's erasure request, if any (one per member). */
export async function erasureOfMember(manager: EntityManager, memberId: string): Promise<ErasureRequest | null> {
  const { rows } = await sql<Parameters<typeof toRequest>[0]>(manager, `SELECT ${REQUEST_COLUMNS} FROM member_erasure_requests WHERE member_id = $1`, [memberId]);
  return rows[0] ? toRequest(rows[0]) : null;
}

export async function erasureById(manager: EntityManager, id: string): Promise<ErasureRequest | null> {
  const { rows } = await sql<Parameters<typeof toRequest>[0]>(manager, `SELECT ${REQUEST_COLUMNS} FROM member_erasure_requests WHERE id = $1`, [id]);
  return rows[0] ? toRequest(rows[0]) : null;
}

/**
 * The person's token subjects this subgraph knows: their identity links, and the subjects of the calls they
 * made as the member (the audit log). The other subgraphs replace these in their audit logs.
 */
export async function personSubjects(manager: EntityManager, memberId: string): Promise<string[]> {
  const { rows } = await sql<{ subject: string }>(
    manager,
    `SELECT subject FROM identity_links WHERE member_id = $1
      UNION SELECT subject FROM audit_log WHERE member_id = $1 AND subject NOT LIKE 'erased:%'`,
    [memberId],
  );
  return rows.map((r) => r.subject).sort();
}

export async function insertErasureRequest(manager: EntityManager, r: { id: string; memberId: string; requestedBy: string; subjects: string[] }): Promise<void> {
  await sql(manager, 'INSERT INTO member_erasure_requests (id, member_id, requested_by, subjects, remaining) VALUES ($1, $2, $3, $4, $5)', [
    r.id,
    r.memberId,
    r.requestedBy,
    r.subjects,
    [...ERASURE_STEPS],
  ]);
}

/**
 * Replaces the member's personal data with the pseudonym: name, email, birth date, phone and the card
 * number (a fresh random one that was never anyone's); the member is closed (if not already) and marked
 * erased. False when the fresh card number happened to be taken (the caller draws again).
 */
export async function pseudonymizeMember(manager: EntityManager, memberId: string, p: { displayName: string; email: string; cardNumber: string }): Promise<boolean> {
  const { rowCount } = await sql(
    manager,
    `UPDATE members SET display_name = $2, email = $3, email_normalized = lower($3), birth_date = NULL, phone = NULL, preferred_language = NULL, enrolled_city = NULL,
            card_number = $4, status = 'CLOSED', closed_at = coalesce(closed_at, clock_timestamp()), erased_at = clock_timestamp()
      WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM cards WHERE card_number = $4) AND NOT EXISTS (SELECT 1 FROM members WHERE card_number = $4)`,
    [memberId, p.displayName, p.email, p.cardNumber],
  );
  return rowCount > 0;
}

/**
 * The members subgraph's own erasure statements ($1 member id, $2 erasure id): every card number the
 * member held (a lookup by any of them now answers as for a number never issued), the identity links (a
 * token of that identity no longer acts as the member), and the token subject that asked for a closing.
 * The consent history stays: it holds no free text (versions, flags, times, sources), and is the record
 * that processing was lawful while the membership lasted.
 */
export const MEMBER_ERASURE_STATEMENTS: readonly MemberErasureStatement[] = [
  { name: 'cards', sql: 'DELETE FROM cards WHERE member_id = $1' },
  { name: 'identity_links', sql: 'DELETE FROM identity_links WHERE member_id = $1' },
  { name: 'closings', sql: `UPDATE closings SET requested_by = 'erased:' || $2::text WHERE member_id = $1 AND requested_by NOT LIKE 'erased:%'` },
];

/** One step done: it leaves `remaining`; the last one completes the request and forgets the subjects. */
export async function erasureStepDone(manager: EntityManager, id: string, step: ErasureStep): Promise<void> {
  await sql(
    manager,
    `UPDATE member_erasure_requests SET remaining = array_remove(remaining, $2::text),
            completed_at = CASE WHEN array_remove(remaining, $2::text) = '{}' THEN clock_timestamp() END,
            subjects = CASE WHEN array_remove(remaining, $2::text) = '{}' THEN '{}' ELSE subjects END
      WHERE id = $1 AND completed_at IS NULL`,
    [id, step],
  );
}

export async function erasureAttempted(manager: EntityManager, id: string): Promise<void> {
  await sql(manager, 'UPDATE member_erasure_requests SET attempts = attempts + 1 WHERE id = $1', [id]);
}

/** Ids of erasure requests not complete after `olderThanMs` (database time), oldest first. */
export async function openErasureIds(manager: EntityManager, olderThanMs: number, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `SELECT id FROM member_erasure_requests WHERE completed_at IS NULL AND requested_at <= now() - make_interval(secs => $1::double precision / 1000)
      ORDER BY requested_at LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows.map((r) => r.id);
}
