import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Self-service membership: identity links (a signed-in person's token issuer and subject, linked to the
 * member their sign-up created, one member per identity), consent recorded as append-only history with the
 * current state kept on the member (the hot read decides email visibility from it), and the profile's
 * phone and preferred language.
 */
export class IdentityLinksConsentsProfile1739000000000 implements MigrationInterface {
  name = 'IdentityLinksConsentsProfile1739000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE members
        ADD COLUMN phone                text    CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        ADD COLUMN preferred_language   text    CHECK (preferred_language IN ('nb', 'sv', 'da', 'en')),
        ADD COLUMN terms_version        text    CHECK (length(terms_version) BETWEEN 1 AND 32),
        ADD COLUMN marketing_consent    boolean NOT NULL DEFAULT false,
        ADD COLUMN partner_data_sharing boolean NOT NULL DEFAULT false;

      -- The member is inserted after its link in one transaction (the link's unique key decides a race of
      -- two sign-ups of one identity before any member row is written): the reference is checked at commit.
      CREATE TABLE identity_links (
        issuer    text        NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
        subject   text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
        member_id uuid        NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
        linked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (issuer, subject)
      );
      CREATE INDEX identity_links_member_idx ON identity_links (member_id);

      CREATE TABLE member_consents (
        id                   bigserial   PRIMARY KEY,
        member_id            uuid        NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
        recorded_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
        source               text        NOT NULL CHECK (source IN ('SIGN_UP', 'SET_CONSENTS', 'ENROLMENT')),
        partner_id           uuid        CHECK (partner_id IS NULL OR source = 'ENROLMENT'),
        terms_version        text        CHECK (length(terms_version) BETWEEN 1 AND 32),
        marketing            boolean     NOT NULL,
        partner_data_sharing boolean     NOT NULL
      );
      CREATE INDEX member_consents_member_idx ON member_consents (member_id, id);
      CREATE FUNCTION member_consents_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'member_consents is append-only';
      END $$;
      CREATE TRIGGER member_consents_append_only BEFORE UPDATE OR DELETE ON member_consents
        FOR EACH ROW EXECUTE FUNCTION member_consents_forbid_change();
      CREATE TRIGGER member_consents_no_truncate BEFORE TRUNCATE ON member_consents
        FOR EACH STATEMENT EXECUTE FUNCTION member_consents_forbid_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE member_consents; DROP FUNCTION member_consents_forbid_change(); DROP TABLE identity_links;
      ALTER TABLE members DROP COLUMN phone, DROP COLUMN preferred_language, DROP COLUMN terms_version,
        DROP COLUMN marketing_consent, DROP COLUMN partner_data_sharing;
    `);
  }
}
