import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The earn outbox is a queue: every earn inserts a row and the relay updates it once delivered. The relay
 * reads `WHERE delivered_at IS NULL ORDER BY id` through a partial index, and each delivery leaves a dead
 * entry in that index until the table is vacuumed. With the default trigger (20% of the table dead) a
 * table of millions of delivered rows would wait for hundreds of thousands of dead entries, and each
 * relay round would step over them. Vacuum this table after every 2,000 changed rows instead.
 */
export class EarnOutboxVacuum1736000000000 implements MigrationInterface {
  name = 'EarnOutboxVacuum1736000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE earn_outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_analyze_scale_factor = 0.02)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE earn_outbox RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor)`);
  }
}
