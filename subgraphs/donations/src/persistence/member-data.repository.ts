import { ERASED_HASH, type MemberDataSection, type MemberErasureStatement } from '../../../../lib/src/persistence/member-data.repository';

const DONATIONS = 'SELECT id FROM donations WHERE member_id = $1';
const ACCRUALS = 'SELECT id FROM pledge_accruals WHERE member_id = $1';

/**
 * Everything the donations subgraph holds about one member, table by table, for the member's data export
 * (the audit log and idempotency keys are added by lib's MemberDataExport): donations with their charity's
 * name, the chosen causes (history), pledge accruals from the member's purchases, matches of the member's
 * donations, and the receipts of all of these. A new table about members is one more line here.
 */
export const DONATIONS_MEMBER_DATA_SECTIONS: readonly MemberDataSection[] = [
  { name: 'donations', sql: 'SELECT d.*, c.name AS charity_name FROM donations d JOIN charities c ON c.id = d.charity_id WHERE d.member_id = $1 ORDER BY d.created_at, d.id' },
  { name: 'member_causes', sql: 'SELECT mc.*, c.name AS charity_name FROM member_causes mc LEFT JOIN charities c ON c.id = mc.charity_id WHERE mc.member_id = $1 ORDER BY mc.id' },
  { name: 'pledge_accruals', sql: 'SELECT * FROM pledge_accruals WHERE member_id = $1 ORDER BY occurred_at, id' },
  { name: 'matches', sql: `SELECT * FROM matches WHERE donation_id IN (${DONATIONS}) ORDER BY created_at, id` },
  {
    name: 'receipts',
    sql: `SELECT * FROM receipts WHERE subject_id IN (${DONATIONS}) OR subject_id IN (${ACCRUALS})
             OR subject_id IN (SELECT id FROM matches WHERE donation_id IN (${DONATIONS})) ORDER BY charity_id, seq`,
  },
];

/**
 * The giving side's part of an erasure: a donation's idempotency caller is the donor's token subject (an
 * identity provider may make it of their email), so it becomes `erased:<erasure id>` and the key a hash
 * (the migration allows exactly that change, whatever the donation's status). The donations, causes,
 * accruals, matches and receipts keep every fact: they name the member by id only, and a receipt's hash
 * covers the donation, accrual or match id, never the member, so every chain still verifies.
 */
export const DONATIONS_MEMBER_ERASURE_STATEMENTS: readonly MemberErasureStatement[] = [
  {
    name: 'donations',
    sql: `UPDATE donations SET idempotency_caller = 'erased:' || $2::text, idempotency_key = ${ERASED_HASH('idempotency_key')}
           WHERE member_id = $1 AND idempotency_caller IS NOT NULL AND idempotency_caller NOT LIKE 'erased:%'`,
  },
];
