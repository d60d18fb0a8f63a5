import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Programme KPIs count members enrolled and closed in a period, coalition-wide or for the partner that
 * enrolled them: ranges of these indexes, not scans of the members table.
 */
export class MembersKpiIndexes1740300000000 implements MigrationInterface {
  name = 'MembersKpiIndexes1740300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX members_closed_at_idx ON members (closed_at) WHERE closed_at IS NOT NULL;
      CREATE INDEX members_partner_enrolled_idx ON members (enrolled_by_partner_id, enrolled_at) WHERE enrolled_by_partner_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX members_partner_enrolled_idx; DROP INDEX members_closed_at_idx');
  }
}
