import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { allowValues, disallowValues } from './allowed-values';

const ACCOUNT_KINDS = ['COALITION_MARKETING', 'COALITION_CASHOUT'];
const TRANSACTION_KINDS = ['GRANT', 'BONUS', 'CASHOUT', 'CASHOUT_RETURN'];

/**
 * Points without a purchase, and points that leave for money (issue 17).
 * - Two coalition accounts, one row each, owned by no partner (like COALITION_BREAKAGE):
 *   COALITION_MARKETING, the coalition's marketing budget as an issuer (goodwill it pays for, welcome,
 *   referral and birthday bonuses, coalition-funded earn awards), and COALITION_CASHOUT, where cashed-out
 *   points go (the coalition honours them with money, as a partner honours a redemption).
 * - Transaction kinds: GRANT (goodwill, campaigns, bulk grants), BONUS (welcome, referral, birthday),
 *   CASHOUT (points leave a member for a bank transfer) and CASHOUT_RETURN (a failed payout gives them back;
 *   it `reverses` the CASHOUT, so it happens once and carries the cashout's price).
 *   GRANT and BONUS carry the issue price of whoever pays (the partner's in force, or the coalition's
 *   marketing price), a member and positive points, and no purchase; `partner_id` is the paying partner
 *   (null: the coalition). A prepaid partner's grant draws on its block like an earn.
 *   CASHOUT carries the coalition's cash rate per point as its price, a member, negative points, no partner.
 * - Lots: the issuer of a lot is `partner_id`, null for the coalition's marketing budget. One transaction may
 *   leave one lot per issuer (an earn with a coalition-funded award: the partner's lot and the coalition's),
 *   and a lot may carry its own price (null: the transaction's), so each point's issuer and price stay known.
 */
export class IssuersGrantsCashouts1739400000000 implements MigrationInterface {
  name = 'IssuersGrantsCashouts1739400000000';

  async up(q: QueryRunner): Promise<void> {
    await allowValues(q, 'accounts', 'accounts_kind_check', 'kind', ACCOUNT_KINDS);
    await allowValues(q, 'transactions', 'transactions_kind_check', 'kind', TRANSACTION_KINDS);
    await q.query(`
      ALTER TABLE accounts DROP CONSTRAINT accounts_owner_check;
      ALTER TABLE accounts ADD CONSTRAINT accounts_owner_check
        CHECK ((kind IN ('COALITION_BREAKAGE', 'COALITION_MARKETING', 'COALITION_CASHOUT')) = (owner_id IS NULL));
      INSERT INTO accounts (kind, owner_id, maintained) VALUES ('COALITION_MARKETING', NULL, false), ('COALITION_CASHOUT', NULL, false)
        ON CONFLICT (kind, owner_id) DO NOTHING;

      ALTER TABLE transactions ADD CONSTRAINT transactions_grant_check CHECK (kind NOT IN ('GRANT', 'BONUS')
        OR (member_id IS NOT NULL AND points > 0 AND unit_price IS NOT NULL AND purchase_minor IS NULL AND reverses IS NULL));
      ALTER TABLE transactions ADD CONSTRAINT transactions_cashout_check CHECK (kind <> 'CASHOUT'
        OR (member_id IS NOT NULL AND partner_id IS NULL AND points < 0 AND unit_price IS NOT NULL AND reverses IS NULL));
      ALTER TABLE transactions ADD CONSTRAINT transactions_cashout_return_check CHECK (kind <> 'CASHOUT_RETURN'
        OR (member_id IS NOT NULL AND partner_id IS NULL AND points > 0 AND reverses IS NOT NULL));
      ALTER TABLE transactions DROP CONSTRAINT transactions_block_drawn_check;
      ALTER TABLE transactions ADD CONSTRAINT transactions_block_drawn_check CHECK (NOT block_drawn OR kind IN ('EARN', 'GRANT', 'BONUS'));

      ALTER TABLE lots ALTER COLUMN partner_id DROP NOT NULL;
      ALTER TABLE lots ADD COLUMN unit_price numeric(20,6) CHECK (unit_price >= 0), ADD COLUMN price_currency text CHECK (price_currency ~ '^[A-Z]{3}$'),
        ADD CONSTRAINT lots_price_pair_check CHECK ((unit_price IS NULL) = (price_currency IS NULL));
      ALTER TABLE lots DROP CONSTRAINT lots_transaction_key;
      ALTER TABLE lots ADD CONSTRAINT lots_transaction_issuer_key UNIQUE NULLS NOT DISTINCT (transaction_id, partner_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE lots DROP CONSTRAINT lots_transaction_issuer_key;
      ALTER TABLE lots ADD CONSTRAINT lots_transaction_key UNIQUE (transaction_id);
      ALTER TABLE lots DROP CONSTRAINT lots_price_pair_check, DROP COLUMN unit_price, DROP COLUMN price_currency;
      ALTER TABLE lots ALTER COLUMN partner_id SET NOT NULL;
      ALTER TABLE transactions DROP CONSTRAINT transactions_block_drawn_check;
      ALTER TABLE transactions ADD CONSTRAINT transactions_block_drawn_check CHECK (NOT block_drawn OR kind = 'EARN');
      ALTER TABLE transactions DROP CONSTRAINT transactions_cashout_return_check, DROP CONSTRAINT transactions_cashout_check, DROP CONSTRAINT transactions_grant_check;
      ALTER TABLE accounts DISABLE TRIGGER accounts_no_delete;
      DELETE FROM accounts WHERE kind IN ('COALITION_MARKETING', 'COALITION_CASHOUT');
      ALTER TABLE accounts ENABLE TRIGGER accounts_no_delete;
      ALTER TABLE accounts DROP CONSTRAINT accounts_owner_check;
      ALTER TABLE accounts ADD CONSTRAINT accounts_owner_check CHECK ((kind = 'COALITION_BREAKAGE') = (owner_id IS NULL));
    `);
    await disallowValues(q, 'transactions', 'transactions_kind_check', 'kind', TRANSACTION_KINDS);
    await disallowValues(q, 'accounts', 'accounts_kind_check', 'kind', ACCOUNT_KINDS);
  }
}
