import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The purge job (lib/src/jobs/purge.job.ts) deletes events no consumer needs any more: an event a webhook
 * delivery still names is kept, and deleting an event makes PostgreSQL check the deliveries' foreign key.
 * Both look deliveries up by event; without this index each would scan the whole table.
 */
export class PurgeIndexes1740210000000 implements MigrationInterface {
  name = 'PurgeIndexes1740210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX webhook_deliveries_outbox_idx ON webhook_deliveries (outbox_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX webhook_deliveries_outbox_idx');
  }
}
