import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Welcome bonuses: one row per member, written with the BONUS transaction that paid it (or, for members
 * whose points account predates this migration, with none: they joined before the rule existed). The
 * primary key makes the bonus exactly-once whatever runs it; append-only like the ledger.
 */
export class WelcomeBonuses1739430000000 implements MigrationInterface {
  name = 'WelcomeBonuses1739430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE welcome_bonuses (
        member_id      uuid        PRIMARY KEY,
        transaction_id uuid        UNIQUE REFERENCES transactions (id),
        points         bigint      NOT NULL CHECK (points >= 0),
        created_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT welcome_bonuses_paid_check CHECK ((transaction_id IS NULL) = (points = 0))
      );
      CREATE TRIGGER welcome_bonuses_append_only BEFORE UPDATE OR DELETE ON welcome_bonuses FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      INSERT INTO welcome_bonuses (member_id, points) SELECT owner_id, 0 FROM accounts WHERE kind = 'MEMBER';
      CREATE INDEX accounts_member_created_idx ON accounts (created_at) WHERE kind = 'MEMBER';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX accounts_member_created_idx; DROP TABLE welcome_bonuses;');
  }
}
