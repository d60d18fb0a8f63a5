import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { AUDIT_ERASURE_DDL, AUDIT_ERASURE_DROP, MEMBER_ERASURES_DDL, MEMBER_ERASURES_DROP } from '../member-erasure-ddl';

/**
 * Erasure on the ledger's side: one row per erasure id (the members subgraph's request), so the internal
 * operation runs once however often it is called. The ledger itself is not touched: it holds no personal
 * data, only the member's id, which nothing links to the person once members has erased them (the remaining
 * points are forfeited by closeMemberAccount, with the erasure id as closing id). The audit log may have
 * subject and idempotency key replaced by their erased form.
 */
export class PointsMemberErasure1739600000000 implements MigrationInterface {
  name = 'PointsMemberErasure1739600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`${MEMBER_ERASURES_DDL} ${AUDIT_ERASURE_DDL}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`${AUDIT_ERASURE_DROP} ${MEMBER_ERASURES_DROP}`);
  }
}
