import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Programme KPIs read the period's expiries (breakage): a small partial index instead of filtering every transaction of the period. */
export class KpiExpiryIndex1740310000000 implements MigrationInterface {
  name = 'KpiExpiryIndex1740310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX transactions_expiry_created_idx ON transactions (created_at) WHERE kind = 'EXPIRY'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX transactions_expiry_created_idx');
  }
}
