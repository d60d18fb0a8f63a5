import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The ledger's working parts: lots (what each earn left, consumed oldest first, expiring), their
 * movements (append-only provenance: which lots each transaction drew on or restored), redemption
 * codes, holds, clawbacks (refunded points that were already spent), tiers and campaigns.
 * The database keeps: a lot's remaining between 0 and its points; a hold resolving once (its status
 * leaves OPEN once and never returns) and every account's \`pending\` equal to its open holds; a
 * clawback's outstanding between 0 and its points.
 */
export class LotsHoldsTiers1732100000000 implements MigrationInterface {
  name = 'LotsHoldsTiers1732100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE transactions DROP CONSTRAINT transactions_kind_check;
      ALTER TABLE transactions ADD CONSTRAINT transactions_kind_check
        CHECK (kind IN ('EARN', 'REDEEM', 'REVERSAL', 'EXPIRY', 'DONATION', 'CLAWBACK'));
      ALTER TABLE transactions
        ADD COLUMN base_points bigint CHECK (base_points >= 0),
        ADD COLUMN tier_multiplier_milli integer CHECK (tier_multiplier_milli >= 1000),
        ADD COLUMN campaign_bonus bigint CHECK (campaign_bonus >= 0),
        ADD COLUMN hold_id uuid;

      CREATE TABLE lots (
        id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id     uuid        NOT NULL REFERENCES accounts (id),
        transaction_id uuid        NOT NULL REFERENCES transactions (id),
        partner_id     uuid        NOT NULL,
        points         bigint      NOT NULL CHECK (points > 0),
        remaining      bigint      NOT NULL,
        earned_at      timestamptz NOT NULL DEFAULT now(),
        expires_at     timestamptz NOT NULL,
        CONSTRAINT lots_remaining_check CHECK (remaining BETWEEN 0 AND points),
        CONSTRAINT lots_transaction_key UNIQUE (transaction_id)
      );
      CREATE INDEX lots_open_idx ON lots (account_id, expires_at, earned_at, id) WHERE remaining > 0;
      CREATE INDEX lots_expiry_idx ON lots (expires_at) WHERE remaining > 0;

      CREATE TABLE lot_movements (
        id             bigserial   PRIMARY KEY,
        transaction_id uuid        NOT NULL REFERENCES transactions (id),
        lot_id         uuid        NOT NULL REFERENCES lots (id),
        points         bigint      NOT NULL CHECK (points <> 0),
        created_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX lot_movements_transaction_idx ON lot_movements (transaction_id);
      CREATE INDEX lot_movements_lot_idx ON lot_movements (lot_id);
      CREATE TRIGGER lot_movements_append_only BEFORE UPDATE OR DELETE ON lot_movements
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      CREATE TABLE redemption_codes (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        member_id   uuid        NOT NULL,
        code_hash   text        NOT NULL,
        max_points  bigint      CHECK (max_points > 0),
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        CONSTRAINT redemption_codes_hash_key UNIQUE (code_hash)
      );
      CREATE INDEX redemption_codes_expires_idx ON redemption_codes (expires_at);

      CREATE TABLE holds (
        id                     uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id             uuid        NOT NULL REFERENCES accounts (id),
        member_id              uuid        NOT NULL,
        partner_id             uuid        NOT NULL,
        points                 bigint      NOT NULL CHECK (points > 0),
        reference              text        NOT NULL CHECK (length(reference) BETWEEN 1 AND 255),
        status                 text        NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CAPTURED', 'VOIDED', 'EXPIRED')),
        created_at             timestamptz NOT NULL DEFAULT now(),
        expires_at             timestamptz NOT NULL,
        finalized_at           timestamptz,
        captured_points        bigint,
        capture_transaction_id uuid        REFERENCES transactions (id),
        CONSTRAINT holds_capture_check CHECK ((status = 'CAPTURED') = (captured_points IS NOT NULL AND capture_transaction_id IS NOT NULL)),
        CONSTRAINT holds_captured_points_check CHECK (captured_points BETWEEN 1 AND points),
        CONSTRAINT holds_finalized_check CHECK ((status = 'OPEN') = (finalized_at IS NULL))
      );
      CREATE INDEX holds_open_idx ON holds (expires_at) WHERE status = 'OPEN';
      CREATE INDEX holds_partner_idx ON holds (partner_id, created_at DESC);

      -- A hold resolves at most once: once it leaves OPEN nothing about it changes again.
      CREATE FUNCTION ledger_guard_hold() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF OLD.status <> 'OPEN' THEN
          RAISE EXCEPTION 'hold % is already %', OLD.id, OLD.status USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.points <> OLD.points OR NEW.account_id <> OLD.account_id OR NEW.partner_id <> OLD.partner_id OR NEW.expires_at <> OLD.expires_at THEN
          RAISE EXCEPTION 'hold terms are immutable' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER holds_guard BEFORE UPDATE ON holds FOR EACH ROW EXECUTE FUNCTION ledger_guard_hold();

      -- An account's \`pending\` is its open holds, kept by the database: a new open hold adds its points,
      -- a hold leaving OPEN (captured, voided, expired) releases them. CHECK (balance >= pending) then
      -- refuses a hold the member cannot cover.
      CREATE FUNCTION ledger_apply_hold() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF TG_OP = 'INSERT' AND NEW.status = 'OPEN' THEN
          UPDATE accounts SET pending = pending + NEW.points WHERE id = NEW.account_id;
        ELSIF TG_OP = 'UPDATE' AND OLD.status = 'OPEN' AND NEW.status <> 'OPEN' THEN
          UPDATE accounts SET pending = pending - OLD.points WHERE id = OLD.account_id;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER holds_apply AFTER INSERT OR UPDATE OF status ON holds FOR EACH ROW EXECUTE FUNCTION ledger_apply_hold();
      CREATE TRIGGER holds_no_delete BEFORE DELETE ON holds FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      CREATE TABLE clawbacks (
        id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id            uuid        NOT NULL REFERENCES accounts (id),
        partner_id            uuid        NOT NULL,
        reversal_transaction  uuid        NOT NULL REFERENCES transactions (id),
        points                bigint      NOT NULL CHECK (points > 0),
        outstanding           bigint      NOT NULL,
        created_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT clawbacks_outstanding_check CHECK (outstanding BETWEEN 0 AND points)
      );
      CREATE INDEX clawbacks_open_idx ON clawbacks (account_id, created_at) WHERE outstanding > 0;

      CREATE TABLE tiers (
        name              text    PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 50),
        threshold         bigint  NOT NULL UNIQUE CHECK (threshold >= 0),
        multiplier_milli  integer NOT NULL CHECK (multiplier_milli BETWEEN 1000 AND 10000)
      );
      INSERT INTO tiers (name, threshold, multiplier_milli) VALUES ('Bronze', 0, 1000), ('Silver', 5000, 1250), ('Gold', 20000, 1500);

      CREATE TABLE campaigns (
        id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id       uuid,
        name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        multiplier_milli integer     NOT NULL DEFAULT 1000 CHECK (multiplier_milli BETWEEN 1000 AND 10000),
        bonus_points     bigint      NOT NULL DEFAULT 0 CHECK (bonus_points BETWEEN 0 AND 1000000),
        starts_at        timestamptz NOT NULL,
        ends_at          timestamptz NOT NULL,
        created_by       text        NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT campaigns_window_check CHECK (ends_at > starts_at),
        CONSTRAINT campaigns_effect_check CHECK (multiplier_milli > 1000 OR bonus_points > 0)
      );
      CREATE INDEX campaigns_active_idx ON campaigns (partner_id, ends_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE campaigns; DROP TABLE tiers; DROP TABLE clawbacks; DROP TABLE holds; DROP FUNCTION ledger_apply_hold(); DROP FUNCTION ledger_guard_hold();
      DROP TABLE redemption_codes; DROP TABLE lot_movements; DROP TABLE lots;
      ALTER TABLE transactions DROP COLUMN base_points, DROP COLUMN tier_multiplier_milli, DROP COLUMN campaign_bonus, DROP COLUMN hold_id;
    `);
  }
}
