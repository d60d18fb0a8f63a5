import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Cashback: points a member turns into a bank transfer (requestCashout), and the operator's payout batches.
 * - cashouts: one per CASHOUT transaction, with the money it is worth (points × the coalition's value per
 *   point in force, kept as `point_value`), the member's IBAN and name, and its state: PENDING (waiting for a
 *   batch), BATCHED (in a pain.001 file sent to the bank), PAID, or FAILED (the points came back in the
 *   CASHOUT_RETURN `return_transaction_id`). A cashout moves forward only, once per step; only its state,
 *   batch, settlement time and return change.
 * - payout_batches: one pain.001 credit-transfer file, its message id (unique), its totals and its state
 *   (EXPORTED, then SETTLED once the operator has marked it paid or failed).
 */
export class Cashouts1739420000000 implements MigrationInterface {
  name = 'Cashouts1739420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payout_batches (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        message_id   text        NOT NULL UNIQUE CHECK (message_id ~ '^[A-Za-z0-9-]{1,35}$'),
        currency     text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        payouts      integer     NOT NULL CHECK (payouts > 0),
        total_minor  bigint      NOT NULL CHECK (total_minor > 0),
        status       text        NOT NULL DEFAULT 'EXPORTED' CHECK (status IN ('EXPORTED', 'SETTLED')),
        created_by   text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        settled_at   timestamptz,
        CONSTRAINT payout_batches_settled_check CHECK ((status = 'SETTLED') = (settled_at IS NOT NULL))
      );

      CREATE TABLE cashouts (
        id                    uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
        member_id             uuid          NOT NULL,
        transaction_id        uuid          NOT NULL UNIQUE REFERENCES transactions (id),
        points                bigint        NOT NULL CHECK (points > 0),
        point_value           numeric(20,6) NOT NULL CHECK (point_value > 0),
        amount_minor          bigint        NOT NULL CHECK (amount_minor > 0),
        currency              text          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        iban                  text          NOT NULL CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
        holder_name           text          NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 70),
        status                text          NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'BATCHED', 'PAID', 'FAILED')),
        batch_id              uuid          REFERENCES payout_batches (id),
        return_transaction_id uuid          UNIQUE REFERENCES transactions (id),
        created_at            timestamptz   NOT NULL DEFAULT now(),
        settled_at            timestamptz,
        CONSTRAINT cashouts_batch_check CHECK ((status = 'PENDING') = (batch_id IS NULL)),
        CONSTRAINT cashouts_return_check CHECK ((status = 'FAILED') = (return_transaction_id IS NOT NULL)),
        CONSTRAINT cashouts_settled_check CHECK ((status IN ('PAID', 'FAILED')) = (settled_at IS NOT NULL))
      );
      CREATE INDEX cashouts_pending_idx ON cashouts (created_at, id) WHERE status = 'PENDING';
      CREATE INDEX cashouts_batch_idx ON cashouts (batch_id) WHERE batch_id IS NOT NULL;
      CREATE INDEX cashouts_member_idx ON cashouts (member_id, created_at DESC);

      -- Forward only: PENDING -> BATCHED -> PAID | FAILED, each once; what was cashed out never changes.
      CREATE FUNCTION ledger_guard_cashout() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF NEW.member_id <> OLD.member_id OR NEW.transaction_id <> OLD.transaction_id OR NEW.points <> OLD.points
           OR NEW.point_value <> OLD.point_value OR NEW.amount_minor <> OLD.amount_minor OR NEW.currency <> OLD.currency
           OR NEW.iban <> OLD.iban OR NEW.holder_name <> OLD.holder_name OR NEW.created_at <> OLD.created_at THEN
          RAISE EXCEPTION 'cashout % is immutable', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT ((OLD.status = 'PENDING' AND NEW.status = 'BATCHED') OR (OLD.status = 'BATCHED' AND NEW.status IN ('PAID', 'FAILED') AND NEW.batch_id = OLD.batch_id)) THEN
          RAISE EXCEPTION 'cashout % cannot go from % to %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER cashouts_guard BEFORE UPDATE ON cashouts FOR EACH ROW EXECUTE FUNCTION ledger_guard_cashout();
      CREATE TRIGGER cashouts_no_delete BEFORE DELETE ON cashouts FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER payout_batches_no_delete BEFORE DELETE ON payout_batches FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      -- A CASHOUT transaction exists only with its cashout row (checked at commit).
      CREATE FUNCTION ledger_check_cashout_link() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM cashouts WHERE transaction_id = NEW.id) THEN
          RAISE EXCEPTION 'cashout transaction % has no cashout row', NEW.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER transactions_cashout_link AFTER INSERT ON transactions
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind = 'CASHOUT') EXECUTE FUNCTION ledger_check_cashout_link();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER transactions_cashout_link ON transactions; DROP FUNCTION ledger_check_cashout_link();
      DROP TABLE cashouts; DROP FUNCTION ledger_guard_cashout(); DROP TABLE payout_batches;
    `);
  }
}
