import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Wrong redemption codes are counted, so codes cannot be guessed (10^8 of them, tried at thousands a
 * second): one row per failed code check, written in its own transaction because the spend that saw the
 * wrong code rolls back. A member's failures in the window void the member's live codes (`voided_at`;
 * the row that reached the limit is marked `voided_codes`, and counting starts again after it); a
 * partner's failures in the window, across members, stop its code checks until they age out.
 */
export class RedemptionCodeFailures1738100000000 implements MigrationInterface {
  name = 'RedemptionCodeFailures1738100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE redemption_codes ADD COLUMN voided_at timestamptz;

      CREATE TABLE redemption_code_failures (
        id           bigserial   PRIMARY KEY,
        member_id    uuid        NOT NULL,
        partner_id   uuid        NOT NULL,
        failed_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
        voided_codes boolean     NOT NULL DEFAULT false
      );
      CREATE INDEX redemption_code_failures_member_idx ON redemption_code_failures (member_id, failed_at);
      CREATE INDEX redemption_code_failures_partner_idx ON redemption_code_failures (partner_id, failed_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE redemption_code_failures;
      ALTER TABLE redemption_codes DROP COLUMN voided_at;
    `);
  }
}
