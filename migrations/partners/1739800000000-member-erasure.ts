import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { AUDIT_ERASURE_DDL, AUDIT_ERASURE_DROP, MEMBER_ERASURES_DDL, MEMBER_ERASURES_DROP } from '../member-erasure-ddl';

/** Erasure on the partners' side: one row per erasure id; the audit log may have subject and idempotency key replaced by their erased form. */
export class PartnersMemberErasure1739800000000 implements MigrationInterface {
  name = 'PartnersMemberErasure1739800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`${MEMBER_ERASURES_DDL} ${AUDIT_ERASURE_DDL}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`${AUDIT_ERASURE_DROP} ${MEMBER_ERASURES_DROP}`);
  }
}
