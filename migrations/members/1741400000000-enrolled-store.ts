import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Segments and personal offers (issue 18, part 3): the store a member enrolled at (optional
 * `EnrollMemberInput.storeId`, the enrolling partner's own active store, checked with the partners
 * subgraph) and its city as it was then, which segments select on ("members in Oslo"); the ledger also
 * hears the member's consents (personal offers only for members who consent to marketing). The ledger
 * registration carries both, so every member's registration is queued again once (version + 1): the
 * ledger learns the consents of members enrolled before this release.
 */
export class EnrolledStore1741400000000 implements MigrationInterface {
  name = 'EnrolledStore1741400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE members
        ADD COLUMN enrolled_store_id uuid,
        ADD COLUMN enrolled_city     text CHECK (length(enrolled_city) BETWEEN 1 AND 100),
        ADD CONSTRAINT members_enrolled_store_check CHECK (enrolled_store_id IS NULL OR enrolled_by_partner_id IS NOT NULL);
      UPDATE ledger_registrations SET version = version + 1, next_attempt_at = now(), attempts = 0, last_error = NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE members DROP CONSTRAINT members_enrolled_store_check, DROP COLUMN enrolled_store_id, DROP COLUMN enrolled_city');
  }
}
