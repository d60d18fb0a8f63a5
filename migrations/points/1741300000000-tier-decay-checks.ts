import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * member.tier_changed when qualifying points age out: at each calendar month's start (UTC) the bucket of
 * twelve months before leaves the 12-month window with no transaction to fire a trigger, so the sweeper looks
 * (MaintenanceService.noticeTierDecay). `tier_decay_checks` records each month's check once done (its row is
 * the lock several sweepers take turns on); the month index finds the buckets that just aged out.
 */
export class TierDecayChecks1741300000000 implements MigrationInterface {
  name = 'TierDecayChecks1741300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tier_decay_checks (
        month      date        PRIMARY KEY CHECK (extract(day FROM month) = 1),
        checked_at timestamptz
      );
      CREATE INDEX qualifying_points_month_idx ON qualifying_points (month);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX qualifying_points_month_idx; DROP TABLE tier_decay_checks;');
  }
}
