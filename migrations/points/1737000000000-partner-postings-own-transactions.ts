import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A posting on a partner's account (PARTNER_ISSUED, PARTNER_HONOURED) belongs to a transaction of that
 * partner: an earn or clawback at its issuing account, a redemption at its honouring account, a reversal
 * of either. The services have always written it so; the posting trigger now refuses anything else (two
 * index lookups, only for postings on accounts without a kept balance: never a member's). Settlement
 * statements rely on it: they find a partner's postings for a period through its transactions
 * (`transactions_partner_idx`) instead of walking every posting its accounts ever had, so a month's
 * statement costs a month of activity, not the ledger's whole history.
 */
export class PartnerPostingsOwnTransactions1737000000000 implements MigrationInterface {
  name = 'PartnerPostingsOwnTransactions1737000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM postings p JOIN accounts a ON a.id = p.account_id JOIN transactions t ON t.id = p.transaction_id
                    WHERE a.kind IN ('PARTNER_ISSUED', 'PARTNER_HONOURED') AND t.partner_id IS DISTINCT FROM a.owner_id) THEN
          RAISE EXCEPTION 'postings on a partner account belong to another partner''s transaction: fix the ledger before this migration';
        END IF;
      END $$;
      CREATE OR REPLACE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id AND maintained;
        -- Accounts without a kept balance (the partners', breakage): a partner's only from its own transactions.
        IF NOT FOUND AND EXISTS (
             SELECT 1 FROM accounts a JOIN transactions t ON t.id = NEW.transaction_id
              WHERE a.id = NEW.account_id AND a.kind IN ('PARTNER_ISSUED', 'PARTNER_HONOURED') AND t.partner_id IS DISTINCT FROM a.owner_id) THEN
          RAISE EXCEPTION 'transaction % posts to another partner''s account', NEW.transaction_id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id AND maintained;
        RETURN NEW;
      END $$;
    `);
  }
}
