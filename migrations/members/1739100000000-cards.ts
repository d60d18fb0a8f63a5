import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every card number a member has held, kept for good: the current card ACTIVE, replaced ones BLOCKED with
 * the reason and time. `members.card_number` stays the member's current card (the hot read); a blocked
 * number is never issued again (it is the primary key here). Existing members' cards are copied in.
 */
export class MemberCards1739100000000 implements MigrationInterface {
  name = 'MemberCards1739100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cards (
        card_number  text        PRIMARY KEY CHECK (card_number ~ '^[0-9]{16}$' AND damm_valid(card_number)),
        member_id    uuid        NOT NULL REFERENCES members (id),
        status       text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'BLOCKED')),
        issued_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
        blocked_at   timestamptz,
        block_reason text        CHECK (block_reason IN ('LOST', 'STOLEN', 'DAMAGED')),
        CONSTRAINT cards_blocked_check CHECK ((status = 'BLOCKED') = (blocked_at IS NOT NULL AND block_reason IS NOT NULL))
      );
      -- One active card per member.
      CREATE UNIQUE INDEX cards_one_active_idx ON cards (member_id) WHERE status = 'ACTIVE';
      CREATE INDEX cards_member_idx ON cards (member_id, issued_at);
      INSERT INTO cards (card_number, member_id, issued_at) SELECT card_number, id, enrolled_at FROM members;

      -- A new member's first card is recorded with the member, whoever inserts it.
      CREATE FUNCTION members_first_card() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        INSERT INTO cards (card_number, member_id) VALUES (NEW.card_number, NEW.id);
        RETURN NULL;
      END $$;
      CREATE TRIGGER members_first_card AFTER INSERT ON members FOR EACH ROW EXECUTE FUNCTION members_first_card();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER members_first_card ON members; DROP FUNCTION members_first_card(); DROP TABLE cards;');
  }
}
