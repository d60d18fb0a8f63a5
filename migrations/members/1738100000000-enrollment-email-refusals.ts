import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Enrolling an email that is already a member's is refused, which tells the partner the email is enrolled.
 * Each such refusal is counted per partner, so that probing a list of emails is stopped: past the limit
 * within the window, the partner's enrolments are refused (see MembersService.enroll).
 */
export class EnrollmentEmailRefusals1738100000000 implements MigrationInterface {
  name = 'EnrollmentEmailRefusals1738100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE enrollment_email_refusals (
        id         bigserial   PRIMARY KEY,
        partner_id uuid        NOT NULL,
        refused_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX enrollment_email_refusals_partner_idx ON enrollment_email_refusals (partner_id, refused_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE enrollment_email_refusals');
  }
}
