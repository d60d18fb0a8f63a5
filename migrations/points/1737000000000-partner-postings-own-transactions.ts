import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A posting on a partner's account (PARTNER_ISSUED, PARTNER_HONOURED) belongs to a transaction of that
 * partner: an earn or clawback at its issuing account, a redemption at its honouring account, a reversal
 * of either. The services have always written it so; the balance check every posting runs at commit now
 * also refuses anything else. Settlement statements rely on it: they find a partner's postings for a
 * period through its transactions (`transactions_partner_idx`) instead of walking every posting its
 * accounts ever had, so a month's statement costs a month of activity, not the ledger's whole history.
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
      CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE total numeric; foreign_partner boolean;
      BEGIN
        SELECT coalesce(sum(p.amount), 0),
               coalesce(bool_or(a.kind IN ('PARTNER_ISSUED', 'PARTNER_HONOURED') AND t.partner_id IS DISTINCT FROM a.owner_id), false)
          INTO total, foreign_partner
          FROM postings p JOIN accounts a ON a.id = p.account_id JOIN transactions t ON t.id = p.transaction_id
         WHERE p.transaction_id = NEW.transaction_id;
        IF total <> 0 THEN
          RAISE EXCEPTION 'transaction % does not balance (%)', NEW.transaction_id, total USING ERRCODE = 'check_violation';
        END IF;
        IF foreign_partner THEN
          RAISE EXCEPTION 'transaction % posts to another partner''s account', NEW.transaction_id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE total numeric;
      BEGIN
        SELECT coalesce(sum(amount), 0) INTO total FROM postings WHERE transaction_id = NEW.transaction_id;
        IF total <> 0 THEN
          RAISE EXCEPTION 'transaction % does not balance (%)', NEW.transaction_id, total USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
    `);
  }
}
