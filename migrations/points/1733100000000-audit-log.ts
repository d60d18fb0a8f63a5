import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { AUDIT_TABLE_DDL, AUDIT_TABLE_DROP } from '../../lib/src/audit';

/** The points subgraph's own append-only audit log of mutation calls (see subgraphs/shared/src/audit.ts). */
export class PointsAuditLog1733100000000 implements MigrationInterface {
  name = 'PointsAuditLog1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(AUDIT_TABLE_DDL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(AUDIT_TABLE_DROP);
  }
}
