import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { IDEMPOTENCY_TABLE_DDL } from '../../lib/src/idempotency';

/** Members, their cards (Damm check digit enforced in SQL too) and referral codes. */
export class CreateMembers1732000000000 implements MigrationInterface {
  name = 'CreateMembers1732000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION damm_valid(digits text) RETURNS boolean
      LANGUAGE plpgsql IMMUTABLE STRICT AS $$
      DECLARE
        t int[] := ARRAY[
          0,3,1,7,5,9,8,6,4,2, 7,0,9,2,1,5,4,8,6,3, 4,2,0,6,8,7,1,3,5,9, 1,7,5,0,9,8,3,4,2,6,
          6,1,2,3,0,4,5,9,7,8, 3,6,7,4,2,0,9,5,8,1, 5,8,6,9,7,2,0,1,3,4, 8,9,4,5,3,6,2,0,1,7,
          9,4,3,8,6,1,7,2,0,5, 2,5,8,1,4,3,6,7,9,0];
        interim int := 0;
        i int;
      BEGIN
        IF digits !~ '^[0-9]+$' THEN RETURN false; END IF;
        FOR i IN 1..length(digits) LOOP
          interim := t[interim * 10 + (ascii(substr(digits, i, 1)) - 48) + 1];
        END LOOP;
        RETURN interim = 0;
      END $$;

      CREATE TABLE members (
        id                     uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        display_name           text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
        email                  text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        email_normalized       text        NOT NULL CHECK (email_normalized = lower(email)),
        birth_date             date,
        card_number            text        NOT NULL CHECK (card_number ~ '^[0-9]{16}$' AND damm_valid(card_number)),
        referral_code          text        NOT NULL CHECK (referral_code ~ '^[0-9A-HJKMNP-TV-Z]{8}$'),
        referred_by            uuid        REFERENCES members (id),
        enrolled_by_partner_id uuid,
        status                 text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CLOSED')),
        enrolled_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT members_email_key UNIQUE (email_normalized),
        CONSTRAINT members_card_number_key UNIQUE (card_number),
        CONSTRAINT members_referral_code_key UNIQUE (referral_code)
      );
      CREATE INDEX members_enrolled_at_idx ON members (enrolled_at, id);
      ${IDEMPOTENCY_TABLE_DDL}
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys; DROP TABLE members; DROP FUNCTION damm_valid(text);`);
  }
}
