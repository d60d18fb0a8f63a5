import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Donations and pledges across subgraphs, on the ledger's side.
 * - donation_postings: the points subgraph's decision on each donation id, made once and kept: POSTED
 *   (with its DONATION transaction) or REFUSED (not enough points). The primary key makes the
 *   donations subgraph's call idempotent; every DONATION transaction must have its row (checked at commit).
 * - earn_outbox: one event per EARN and per reversal of an EARN, written by a trigger in the very
 *   transaction that writes the ledger transaction, so no earn can commit without its event. A relay
 *   delivers the events to the donations subgraph (pledges), which consumes each exactly once.
 */
export class DonationPostingsEarnOutbox1735000000000 implements MigrationInterface {
  name = 'DonationPostingsEarnOutbox1735000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE donation_postings (
        donation_id    uuid        PRIMARY KEY,
        member_id      uuid        NOT NULL,
        charity_id     uuid        NOT NULL,
        points         bigint      NOT NULL CHECK (points > 0),
        outcome        text        NOT NULL CHECK (outcome IN ('POSTED', 'REFUSED')),
        transaction_id uuid        REFERENCES transactions (id),
        created_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT donation_postings_transaction_key UNIQUE (transaction_id),
        CONSTRAINT donation_postings_posted_check CHECK ((outcome = 'POSTED') = (transaction_id IS NOT NULL))
      );
      CREATE TRIGGER donation_postings_append_only BEFORE UPDATE OR DELETE ON donation_postings
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER donation_postings_no_truncate BEFORE TRUNCATE ON donation_postings
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();

      -- A DONATION transaction exists only as the posting of one donation id.
      CREATE FUNCTION ledger_check_donation_link() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM donation_postings WHERE transaction_id = NEW.id) THEN
          RAISE EXCEPTION 'donation transaction % has no donation posting', NEW.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER transactions_donation_link AFTER INSERT ON transactions
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind = 'DONATION') EXECUTE FUNCTION ledger_check_donation_link();

      CREATE TABLE earn_outbox (
        id             bigserial   PRIMARY KEY,
        transaction_id uuid        NOT NULL REFERENCES transactions (id),
        kind           text        NOT NULL CHECK (kind IN ('EARN', 'EARN_REVERSAL')),
        earn_id        uuid        NOT NULL REFERENCES transactions (id),
        partner_id     uuid        NOT NULL,
        member_id      uuid        NOT NULL,
        purchase_minor bigint      NOT NULL,
        currency       text        NOT NULL,
        occurred_at    timestamptz NOT NULL,
        delivered_at   timestamptz,
        attempts       integer     NOT NULL DEFAULT 0,
        CONSTRAINT earn_outbox_transaction_key UNIQUE (transaction_id)
      );
      CREATE INDEX earn_outbox_undelivered_idx ON earn_outbox (id) WHERE delivered_at IS NULL;

      CREATE FUNCTION ledger_earn_outbox() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE original transactions%ROWTYPE;
      BEGIN
        IF NEW.kind = 'EARN' THEN
          INSERT INTO earn_outbox (transaction_id, kind, earn_id, partner_id, member_id, purchase_minor, currency, occurred_at)
          VALUES (NEW.id, 'EARN', NEW.id, NEW.partner_id, NEW.member_id, NEW.purchase_minor, NEW.purchase_currency, NEW.created_at);
        ELSIF NEW.kind = 'REVERSAL' AND NEW.reverses IS NOT NULL THEN
          SELECT * INTO original FROM transactions WHERE id = NEW.reverses;
          IF original.kind = 'EARN' THEN
            INSERT INTO earn_outbox (transaction_id, kind, earn_id, partner_id, member_id, purchase_minor, currency, occurred_at)
            VALUES (NEW.id, 'EARN_REVERSAL', original.id, original.partner_id, original.member_id, original.purchase_minor,
                    original.purchase_currency, NEW.created_at);
          END IF;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER transactions_earn_outbox AFTER INSERT ON transactions
        FOR EACH ROW WHEN (NEW.kind IN ('EARN', 'REVERSAL')) EXECUTE FUNCTION ledger_earn_outbox();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER transactions_earn_outbox ON transactions; DROP FUNCTION ledger_earn_outbox(); DROP TABLE earn_outbox;
      DROP TRIGGER transactions_donation_link ON transactions; DROP FUNCTION ledger_check_donation_link(); DROP TABLE donation_postings;
    `);
  }
}
