import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { IDEMPOTENCY_TABLE_DDL } from '../../lib/src/idempotency';

/**
 * The points ledger: accounts, immutable transactions and append-only postings that sum to zero per
 * transaction. The database, not only the code, enforces: postings and transactions are never updated
 * or deleted; each transaction balances at commit, and its `points` equal what it moves on member
 * accounts; a member's balance never drops below its holds nor passes the Int range; account identity
 * is immutable and maintained balances change only through postings (a trigger applies each one). The trigger
 * functions pin the search_path they were created with (the points schema), whoever fires them.
 */
export class CreateLedger1732000000000 implements MigrationInterface {
  name = 'CreateLedger1732000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        kind       text        NOT NULL CHECK (kind IN ('MEMBER', 'PARTNER_ISSUED', 'PARTNER_HONOURED', 'CHARITY', 'COALITION_BREAKAGE')),
        owner_id   uuid,
        balance    bigint      NOT NULL DEFAULT 0,
        pending    bigint      NOT NULL DEFAULT 0,
        maintained boolean     NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT accounts_owner_key UNIQUE NULLS NOT DISTINCT (kind, owner_id),
        CONSTRAINT accounts_owner_check CHECK ((kind = 'COALITION_BREAKAGE') = (owner_id IS NULL)),
        CONSTRAINT accounts_pending_check CHECK (pending >= 0),
        CONSTRAINT accounts_member_funds_check CHECK (kind <> 'MEMBER' OR balance >= pending),
        -- A member balance is a GraphQL Int: an earn that would pass 2^31 - 1 is refused, never wrapped.
        CONSTRAINT accounts_member_int_check CHECK (kind <> 'MEMBER' OR balance <= 2147483647),
        -- Only member and charity balances are kept row by row; partner and coalition accounts are
        -- summed from postings, so earns at one partner never queue behind one hot row.
        CONSTRAINT accounts_maintained_check CHECK (maintained = (kind IN ('MEMBER', 'CHARITY'))),
        CONSTRAINT accounts_unmaintained_zero CHECK (maintained OR (balance = 0 AND pending = 0))
      );

      CREATE TABLE transactions (
        id                uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
        kind              text          NOT NULL CHECK (kind IN ('EARN', 'REDEEM', 'REVERSAL', 'EXPIRY', 'DONATION')),
        partner_id        uuid,
        member_id         uuid,
        reference         text          NOT NULL CHECK (length(reference) BETWEEN 1 AND 255),
        points            bigint        NOT NULL,
        purchase_minor    bigint        CHECK (purchase_minor > 0),
        purchase_currency text          CHECK (purchase_currency ~ '^[A-Z]{3}$'),
        earn_rate         numeric(20,6) CHECK (earn_rate > 0),
        reverses          uuid          REFERENCES transactions (id),
        -- clock_timestamp: several transactions written in one database transaction (an earn and the
        -- clawback it repays) keep the order they were written in.
        created_at        timestamptz   NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT transactions_reverses_key UNIQUE (reverses),
        CONSTRAINT transactions_earn_check CHECK (kind <> 'EARN' OR (partner_id IS NOT NULL AND member_id IS NOT NULL
          AND purchase_minor IS NOT NULL AND purchase_currency IS NOT NULL AND earn_rate IS NOT NULL AND points >= 0))
      );
      CREATE INDEX transactions_member_idx ON transactions (member_id, created_at DESC, id DESC);
      CREATE INDEX transactions_partner_idx ON transactions (partner_id, created_at DESC, id DESC);

      CREATE TABLE postings (
        id             bigserial   PRIMARY KEY,
        transaction_id uuid        NOT NULL REFERENCES transactions (id),
        account_id     uuid        NOT NULL REFERENCES accounts (id),
        amount         bigint      NOT NULL CHECK (amount <> 0),
        created_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX postings_account_idx ON postings (account_id, id);
      CREATE INDEX postings_transaction_idx ON postings (transaction_id);

      CREATE FUNCTION ledger_forbid_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER transactions_append_only BEFORE UPDATE OR DELETE ON transactions
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER transactions_no_truncate BEFORE TRUNCATE ON transactions
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();

      CREATE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id AND maintained;
        RETURN NEW;
      END $$;
      CREATE TRIGGER postings_apply AFTER INSERT ON postings
        FOR EACH ROW EXECUTE FUNCTION ledger_apply_posting();

      -- Accounts: identity never changes; a maintained balance moves only through the posting trigger and
      -- \`pending\` only through the hold trigger (trigger depth 2): the application sets neither.
      CREATE FUNCTION ledger_guard_account() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.owner_id IS DISTINCT FROM OLD.owner_id OR NEW.maintained <> OLD.maintained THEN
          RAISE EXCEPTION 'account identity is immutable' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (NEW.balance <> OLD.balance OR NEW.pending <> OLD.pending) AND pg_trigger_depth() < 2 THEN
          RAISE EXCEPTION 'balances change only through postings, pending only through holds' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER accounts_guard BEFORE UPDATE ON accounts
        FOR EACH ROW EXECUTE FUNCTION ledger_guard_account();
      CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER accounts_no_truncate BEFORE TRUNCATE ON accounts
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();

      CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE total numeric;
      BEGIN
        SELECT coalesce(sum(amount), 0) INTO total FROM postings WHERE transaction_id = NEW.transaction_id;
        IF total <> 0 THEN
          RAISE EXCEPTION 'transaction % does not balance (%)', NEW.transaction_id, total USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

      -- A transaction's \`points\` is the net change it makes to member accounts, checked at commit.
      CREATE FUNCTION ledger_check_member_points() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE net numeric;
      BEGIN
        SELECT coalesce(sum(p.amount), 0) INTO net FROM postings p JOIN accounts a ON a.id = p.account_id
         WHERE p.transaction_id = NEW.id AND a.kind = 'MEMBER';
        IF net <> NEW.points THEN
          RAISE EXCEPTION 'transaction % claims % points but moves % on member accounts', NEW.id, NEW.points, net USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER transactions_points_match AFTER INSERT ON transactions
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_member_points();

      ${IDEMPOTENCY_TABLE_DDL}
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE idempotency_keys; DROP TABLE postings; DROP TABLE transactions; DROP TABLE accounts;
      DROP FUNCTION ledger_check_member_points(); DROP FUNCTION ledger_check_balanced(); DROP FUNCTION ledger_guard_account();
      DROP FUNCTION ledger_apply_posting(); DROP FUNCTION ledger_forbid_change();
    `);
  }
}
