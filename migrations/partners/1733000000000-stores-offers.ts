import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Contract terms become append-only (a change is a new version; settlement prices each posting with the
 * version in force at its time), and partners get stores and an offers catalogue.
 */
export class StoresOffers1733000000000 implements MigrationInterface {
  name = 'StoresOffers1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION partners_forbid_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER partner_terms_append_only BEFORE UPDATE OR DELETE ON partner_terms
        FOR EACH ROW EXECUTE FUNCTION partners_forbid_change();
      CREATE TRIGGER partner_terms_no_truncate BEFORE TRUNCATE ON partner_terms
        FOR EACH STATEMENT EXECUTE FUNCTION partners_forbid_change();

      CREATE TABLE stores (
        id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id      uuid        NOT NULL REFERENCES partners (id),
        code            text        NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
        name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        address         text        CHECK (length(address) BETWEEN 1 AND 500),
        city            text        CHECK (length(city) BETWEEN 1 AND 100),
        country         text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
        active          boolean     NOT NULL DEFAULT true,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      );
      -- A store code identifies a till's location to the partner's own systems: unique per partner, any case.
      CREATE UNIQUE INDEX stores_partner_code_key ON stores (partner_id, lower(code));
      CREATE INDEX stores_partner_created_idx ON stores (partner_id, created_at, id);

      CREATE TABLE offers (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id   uuid        NOT NULL REFERENCES partners (id),
        title        text        NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
        description  text        CHECK (length(description) BETWEEN 1 AND 2000),
        kind         text        NOT NULL CHECK (kind IN ('POINTS_PRICE', 'BONUS_POINTS', 'MULTIPLIER')),
        points       integer     CHECK (points BETWEEN 1 AND 1000000),
        multiplier   numeric(5,3) CHECK (multiplier > 1 AND multiplier <= 10),
        valid_from   timestamptz NOT NULL,
        valid_to     timestamptz,
        min_tier     text        CHECK (length(min_tier) BETWEEN 1 AND 50),
        active       boolean     NOT NULL DEFAULT true,
        retired_at   timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT offers_kind_values CHECK (
          (kind = 'MULTIPLIER' AND multiplier IS NOT NULL AND points IS NULL) OR
          (kind <> 'MULTIPLIER' AND points IS NOT NULL AND multiplier IS NULL)),
        CONSTRAINT offers_window CHECK (valid_to IS NULL OR valid_to > valid_from),
        CONSTRAINT offers_retired CHECK (active = (retired_at IS NULL))
      );
      CREATE INDEX offers_created_idx ON offers (created_at, id);
      CREATE INDEX offers_partner_created_idx ON offers (partner_id, created_at, id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE offers; DROP TABLE stores;
      DROP TRIGGER partner_terms_no_truncate ON partner_terms; DROP TRIGGER partner_terms_append_only ON partner_terms;
      DROP FUNCTION partners_forbid_change();
    `);
  }
}
