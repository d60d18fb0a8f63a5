import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type MemberDataSection } from '../../../../lib/src/persistence/member-data.repository';

/**
 * Everything the members subgraph holds about one member, table by table, for the member's data export
 * (the audit log and idempotency keys are added by lib's MemberDataExport). A new table about members is
 * one more line here. Other members' rows are never included (the members this one referred are theirs).
 */
export const MEMBER_DATA_SECTIONS: readonly MemberDataSection[] = [
  { name: 'member', sql: 'SELECT * FROM members WHERE id = $1' },
  { name: 'cards', sql: 'SELECT * FROM cards WHERE member_id = $1 ORDER BY issued_at, card_number' },
];

/** Whether the member exists: the members subgraph is the system of record, so a missing one is NOT_FOUND. */
export async function memberExists(manager: EntityManager, memberId: string): Promise<boolean> {
  const { rowCount } = await sql(manager, 'SELECT 1 FROM members WHERE id = $1', [memberId]);
  return rowCount > 0;
}
