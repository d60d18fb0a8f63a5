import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Programme KPIs sum the donations confirmed and the pledges accrued in a period, coalition-wide: ranges of these indexes. */
export class DonationsKpiIndexes1740300000000 implements MigrationInterface {
  name = 'DonationsKpiIndexes1740300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX donations_confirmed_at_idx ON donations (confirmed_at) WHERE status = 'CONFIRMED';
      CREATE INDEX pledge_accruals_occurred_idx ON pledge_accruals (occurred_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX pledge_accruals_occurred_idx; DROP INDEX donations_confirmed_at_idx');
  }
}
