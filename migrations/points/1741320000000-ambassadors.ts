import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Ambassadors (issue 18, part 4): a member whose referred friends include AMBASSADOR_MIN_FRIENDS active ones
 * (an earn in the last 12 months) becomes an ambassador, once: one row per member (the primary key), written
 * by the sweeper when it settles one of their referrals, under the referrer's account lock. `active_friends`
 * is the count that made them one. Referrals are found by referrer through a new index.
 */
export class Ambassadors1741320000000 implements MigrationInterface {
  name = 'Ambassadors1741320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ambassadors (
        member_id      uuid        PRIMARY KEY,
        since          timestamptz NOT NULL DEFAULT now(),
        active_friends integer     NOT NULL CHECK (active_friends > 0)
      );
      CREATE INDEX ambassadors_since_idx ON ambassadors (since, member_id);
      CREATE TRIGGER ambassadors_append_only BEFORE UPDATE OR DELETE ON ambassadors FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE INDEX member_registrations_referred_by_idx ON member_registrations (referred_by) WHERE referred_by IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX member_registrations_referred_by_idx;
      DROP TABLE ambassadors;
    `);
  }
}
