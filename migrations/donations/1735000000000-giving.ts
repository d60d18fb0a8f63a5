import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Giving, end to end:
 * - charities gain a verification status (only ACTIVE and VERIFIED charities receive gifts) and goals;
 * - donations gain a status: PENDING (written with the member's request, before the ledger posting),
 *   CONFIRMED (the ledger posted it: the posting's transaction id is kept) or FAILED (the ledger refused
 *   it). A PENDING row is the outbox entry the reconciler re-drives; only CONFIRMED rows count;
 * - pledges (a partner's percentage of purchases, effective dated), members' chosen causes (history),
 *   pledge accruals (one per earn event, exactly once: the earn transaction id is unique);
 * - matching campaigns and their matches (one per donation at most);
 * - receipts: per charity a gapless hash chain (UNIQUE (charity_id, seq)), append-only.
 */
export class Giving1735000000000 implements MigrationInterface {
  name = 'Giving1735000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION giving_forbid_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;

      ALTER TABLE charities
        ADD COLUMN verification text NOT NULL DEFAULT 'VERIFIED' CHECK (verification IN ('UNVERIFIED', 'VERIFIED', 'REJECTED')),
        ADD COLUMN verified_at timestamptz;
      UPDATE charities SET verified_at = created_at;

      CREATE TABLE charity_goals (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        charity_id    uuid        NOT NULL REFERENCES charities (id),
        title         text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        target_points bigint      NOT NULL CHECK (target_points > 0),
        starts_at     timestamptz NOT NULL,
        ends_at       timestamptz NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT charity_goals_window_check CHECK (ends_at > starts_at)
      );
      CREATE INDEX charity_goals_charity_idx ON charity_goals (charity_id, starts_at);

      ALTER TABLE donations
        ADD COLUMN status text NOT NULL DEFAULT 'CONFIRMED' CHECK (status IN ('PENDING', 'CONFIRMED', 'FAILED')),
        ADD COLUMN value_minor bigint NOT NULL DEFAULT 0 CHECK (value_minor >= 0),
        ADD COLUMN currency text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
        ADD COLUMN posting_transaction_id uuid,
        ADD COLUMN confirmed_at timestamptz,
        ADD COLUMN idempotency_caller text,
        ADD COLUMN idempotency_key text,
        ADD CONSTRAINT donations_posting_key UNIQUE (posting_transaction_id),
        ADD CONSTRAINT donations_confirmed_check CHECK ((status = 'CONFIRMED') = (posting_transaction_id IS NOT NULL));
      ALTER TABLE donations ALTER COLUMN status SET DEFAULT 'PENDING';
      ALTER TABLE donations ALTER COLUMN value_minor DROP DEFAULT;
      ALTER TABLE donations ALTER COLUMN currency DROP DEFAULT;
      CREATE INDEX donations_pending_idx ON donations (created_at) WHERE status = 'PENDING';
      CREATE INDEX donations_charity_idx ON donations (charity_id, confirmed_at) WHERE status = 'CONFIRMED';
      -- A donation's facts never change; only its status moves, once, out of PENDING.
      CREATE FUNCTION donations_guard() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF OLD.status <> 'PENDING' THEN
          RAISE EXCEPTION 'donation % is already %', OLD.id, OLD.status USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.id <> OLD.id OR NEW.member_id <> OLD.member_id OR NEW.charity_id <> OLD.charity_id OR NEW.points <> OLD.points
           OR NEW.value_minor <> OLD.value_minor OR NEW.currency <> OLD.currency OR NEW.receipt_id <> OLD.receipt_id OR NEW.created_at <> OLD.created_at THEN
          RAISE EXCEPTION 'donation facts are immutable' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER donations_guard BEFORE UPDATE ON donations FOR EACH ROW EXECUTE FUNCTION donations_guard();
      CREATE TRIGGER donations_no_delete BEFORE DELETE ON donations FOR EACH ROW EXECUTE FUNCTION giving_forbid_change();

      CREATE TABLE pledges (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id   uuid        NOT NULL,
        basis_points integer     NOT NULL CHECK (basis_points BETWEEN 0 AND 10000),
        valid_from   timestamptz NOT NULL DEFAULT now(),
        created_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX pledges_partner_idx ON pledges (partner_id, valid_from DESC);
      CREATE TRIGGER pledges_append_only BEFORE UPDATE OR DELETE ON pledges FOR EACH ROW EXECUTE FUNCTION giving_forbid_change();

      CREATE TABLE member_causes (
        id          bigserial   PRIMARY KEY,
        member_id   uuid        NOT NULL,
        charity_id  uuid        REFERENCES charities (id),
        valid_from  timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX member_causes_member_idx ON member_causes (member_id, valid_from DESC, id DESC);
      CREATE TRIGGER member_causes_append_only BEFORE UPDATE OR DELETE ON member_causes FOR EACH ROW EXECUTE FUNCTION giving_forbid_change();

      CREATE TABLE pledge_accruals (
        id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id        uuid        NOT NULL,
        kind            text        NOT NULL CHECK (kind IN ('ACCRUAL', 'REVERSAL', 'NO_PLEDGE')),
        earn_id         uuid        NOT NULL,
        partner_id      uuid        NOT NULL,
        member_id       uuid        NOT NULL,
        charity_id      uuid        REFERENCES charities (id),
        pledge_id       uuid        REFERENCES pledges (id),
        basis_points    integer,
        purchase_minor  bigint      NOT NULL,
        amount_minor    bigint      NOT NULL,
        currency        text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        occurred_at     timestamptz NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pledge_accruals_event_key UNIQUE (event_id),
        CONSTRAINT pledge_accruals_sign_check CHECK (
          (kind = 'ACCRUAL' AND amount_minor >= 0 AND charity_id IS NOT NULL) OR
          (kind = 'REVERSAL' AND amount_minor <= 0 AND charity_id IS NOT NULL) OR
          (kind = 'NO_PLEDGE' AND amount_minor = 0))
      );
      CREATE UNIQUE INDEX pledge_accruals_one_reversal_idx ON pledge_accruals (earn_id) WHERE kind = 'REVERSAL';
      CREATE INDEX pledge_accruals_charity_idx ON pledge_accruals (charity_id, occurred_at);
      CREATE INDEX pledge_accruals_partner_idx ON pledge_accruals (partner_id, occurred_at);
      CREATE TRIGGER pledge_accruals_append_only BEFORE UPDATE OR DELETE ON pledge_accruals FOR EACH ROW EXECUTE FUNCTION giving_forbid_change();

      CREATE TABLE match_campaigns (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id   uuid        NOT NULL,
        charity_id   uuid        NOT NULL REFERENCES charities (id),
        cap_points   bigint      NOT NULL CHECK (cap_points > 0),
        matched      bigint      NOT NULL DEFAULT 0,
        starts_at    timestamptz NOT NULL,
        ends_at      timestamptz NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT match_campaigns_window_check CHECK (ends_at > starts_at),
        CONSTRAINT match_campaigns_cap_check CHECK (matched BETWEEN 0 AND cap_points)
      );
      CREATE INDEX match_campaigns_charity_idx ON match_campaigns (charity_id, ends_at);

      CREATE TABLE matches (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id  uuid        NOT NULL REFERENCES match_campaigns (id),
        donation_id  uuid        NOT NULL REFERENCES donations (id),
        partner_id   uuid        NOT NULL,
        charity_id   uuid        NOT NULL REFERENCES charities (id),
        points       bigint      NOT NULL CHECK (points > 0),
        value_minor  bigint      NOT NULL CHECK (value_minor >= 0),
        currency     text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT matches_donation_key UNIQUE (donation_id, campaign_id)
      );
      CREATE TRIGGER matches_append_only BEFORE UPDATE OR DELETE ON matches FOR EACH ROW EXECUTE FUNCTION giving_forbid_change();

      CREATE TABLE receipt_chains (
        charity_id uuid    PRIMARY KEY REFERENCES charities (id),
        length     bigint  NOT NULL CHECK (length >= 0),
        head_hash  text    NOT NULL
      );
      CREATE TABLE receipts (
        charity_id   uuid        NOT NULL REFERENCES charities (id),
        seq          bigint      NOT NULL CHECK (seq >= 1),
        receipt_id   text        NOT NULL,
        kind         text        NOT NULL CHECK (kind IN ('DONATION', 'PLEDGE', 'PLEDGE_REVERSAL', 'MATCH')),
        subject_id   uuid        NOT NULL,
        points       bigint,
        amount_minor bigint      NOT NULL,
        currency     text        NOT NULL,
        created_at   timestamptz NOT NULL,
        prev_hash    text        NOT NULL,
        hash         text        NOT NULL,
        PRIMARY KEY (charity_id, seq),
        CONSTRAINT receipts_receipt_id_key UNIQUE (receipt_id),
        CONSTRAINT receipts_subject_key UNIQUE (kind, subject_id)
      );
      CREATE TRIGGER receipts_append_only BEFORE UPDATE OR DELETE ON receipts FOR EACH ROW EXECUTE FUNCTION giving_forbid_change();
      CREATE TRIGGER receipts_no_truncate BEFORE TRUNCATE ON receipts FOR EACH STATEMENT EXECUTE FUNCTION giving_forbid_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE receipts; DROP TABLE receipt_chains; DROP TABLE matches; DROP TABLE match_campaigns; DROP TABLE pledge_accruals;
      DROP TABLE member_causes; DROP TABLE pledges;
      DROP TRIGGER donations_no_delete ON donations; DROP TRIGGER donations_guard ON donations; DROP FUNCTION donations_guard();
      ALTER TABLE donations DROP COLUMN status, DROP COLUMN value_minor, DROP COLUMN currency, DROP COLUMN posting_transaction_id,
        DROP COLUMN confirmed_at, DROP COLUMN idempotency_caller, DROP COLUMN idempotency_key;
      DROP TABLE charity_goals;
      ALTER TABLE charities DROP COLUMN verification, DROP COLUMN verified_at;
      DROP FUNCTION giving_forbid_change();
    `);
  }
}
