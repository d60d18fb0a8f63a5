import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Coalition economics. Every transaction that moves points to or from a partner account carries, from
 * now on, the price per point in force when it was written (`unit_price`, in `price_currency`, the
 * partner's currency, major units with 6 decimals): an earn, a refund of an earn and a clawback carry
 * the issuing partner's issue price (a refund and a clawback copy the original earn's); a redemption
 * and a reversed redemption the honouring partner's reimbursement. Settlement statements sum these
 * snapshots, so a later change of terms never reprices history. The CHECK is NOT VALID: rows written
 * before this migration are exempt (statements report them as `unpricedPoints`), every new row must
 * comply; a reversal must carry exactly its original's price (trigger). Transactions stay append-only, so a snapshot can never be edited afterwards.
 *
 * `block_drawn` marks an earn paid for from a prepaid block, so that its refund returns points to that block.
 *
 * Funding: `partner_funding` holds a partner's mode and, for PREPAID, the points left in its block;
 * `CHECK (block_remaining >= 0)` makes overdrawing impossible whatever the code does. Earns draw on it
 * in the same database transaction as their postings. `funding_movements` is the append-only record of
 * every change made by the admin (mode, threshold, top-ups with their price snapshot).
 */
export class Economics1734000000000 implements MigrationInterface {
  name = 'Economics1734000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE transactions
        ADD COLUMN unit_price numeric(20,6) CHECK (unit_price >= 0),
        ADD COLUMN price_currency text CHECK (price_currency ~ '^[A-Z]{3}$'),
        ADD COLUMN block_drawn boolean NOT NULL DEFAULT false;
      ALTER TABLE transactions ADD CONSTRAINT transactions_price_snapshot_check
        CHECK (kind NOT IN ('EARN', 'REDEEM') OR (partner_id IS NOT NULL AND unit_price IS NOT NULL AND price_currency IS NOT NULL)) NOT VALID;
      ALTER TABLE transactions ADD CONSTRAINT transactions_block_drawn_check CHECK (NOT block_drawn OR kind = 'EARN');

      -- A reversal is priced exactly as the transaction it reverses: a refund can never give back more
      -- (or less) money per point than the earn cost. Only a reversal of a transaction written before
      -- snapshots existed has none.
      CREATE FUNCTION ledger_check_reversal_price() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE o transactions%ROWTYPE;
      BEGIN
        SELECT * INTO o FROM transactions WHERE id = NEW.reverses;
        IF NEW.unit_price IS DISTINCT FROM o.unit_price OR NEW.price_currency IS DISTINCT FROM o.price_currency THEN
          RAISE EXCEPTION 'reversal % must carry the price of %', NEW.id, NEW.reverses USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER transactions_reversal_price BEFORE INSERT ON transactions
        FOR EACH ROW WHEN (NEW.reverses IS NOT NULL) EXECUTE FUNCTION ledger_check_reversal_price();
      ALTER TABLE transactions ADD CONSTRAINT transactions_price_pair_check
        CHECK ((unit_price IS NULL) = (price_currency IS NULL));
      CREATE INDEX transactions_created_idx ON transactions (created_at);
      CREATE INDEX lots_partner_idx ON lots (partner_id) WHERE remaining > 0;

      CREATE TABLE partner_funding (
        partner_id            uuid        PRIMARY KEY,
        mode                  text        NOT NULL CHECK (mode IN ('POSTPAID', 'PREPAID')),
        block_remaining       bigint      NOT NULL DEFAULT 0 CHECK (block_remaining >= 0),
        low_balance_threshold bigint      NOT NULL DEFAULT 0 CHECK (low_balance_threshold >= 0),
        updated_at            timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE funding_movements (
        id              bigserial     PRIMARY KEY,
        partner_id      uuid          NOT NULL,
        kind            text          NOT NULL CHECK (kind IN ('CONFIGURE', 'TOP_UP')),
        mode            text          NOT NULL CHECK (mode IN ('POSTPAID', 'PREPAID')),
        points          bigint        NOT NULL DEFAULT 0 CHECK (points >= 0),
        unit_price      numeric(20,6) CHECK (unit_price >= 0),
        price_currency  text          CHECK (price_currency ~ '^[A-Z]{3}$'),
        low_balance_threshold bigint  NOT NULL CHECK (low_balance_threshold >= 0),
        created_by      text          NOT NULL,
        created_at      timestamptz   NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT funding_movements_top_up_check CHECK (kind <> 'TOP_UP' OR (points > 0 AND unit_price IS NOT NULL AND price_currency IS NOT NULL))
      );
      CREATE INDEX funding_movements_partner_idx ON funding_movements (partner_id, created_at);
      CREATE TRIGGER funding_movements_append_only BEFORE UPDATE OR DELETE ON funding_movements
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER funding_movements_no_truncate BEFORE TRUNCATE ON funding_movements
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER partner_funding_no_delete BEFORE DELETE ON partner_funding
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE funding_movements; DROP TABLE partner_funding;
      DROP INDEX lots_partner_idx; DROP INDEX transactions_created_idx;
      DROP TRIGGER transactions_reversal_price ON transactions; DROP FUNCTION ledger_check_reversal_price();
      ALTER TABLE transactions DROP CONSTRAINT transactions_price_pair_check, DROP CONSTRAINT transactions_price_snapshot_check,
        DROP CONSTRAINT transactions_block_drawn_check, DROP COLUMN block_drawn, DROP COLUMN price_currency, DROP COLUMN unit_price;
    `);
  }
}
