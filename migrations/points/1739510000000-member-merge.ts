import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { allowValues, disallowValues } from './allowed-values';

/**
 * Merging a duplicate member into another (issue 16), on the ledger's side, decided once per merge id in
 * member_closings (disposition MERGE, with the target):
 * - transaction kind MERGE, two per merge: the source's points leave it (points < 0) and reach the target
 *   (points > 0), through a clearing account of the merge (MERGE_CLEARING, owned by the merge id, not kept
 *   row by row) that both transactions leave at zero, so each member's history shows its side.
 * - each of the source's lots with points left moves whole to a new lot of the target with the same issuer,
 *   earn (transaction_id: the earn that issued them, so its price and currency still price them), price and
 *   expiry; `merged_from` names the source lot, whose movement records the MERGE. Settlement statements and
 *   liability by issuer do not change. An earn's lot key becomes (earn, issuer, merged_from).
 * - qualifying points for a tier count the earns of members merged into the member (an index to find them).
 */
export class MemberMerge1739510000000 implements MigrationInterface {
  name = 'MemberMerge1739510000000';

  async up(q: QueryRunner): Promise<void> {
    await allowValues(q, 'transactions', 'transactions_kind_check', 'kind', ['MERGE']);
    await allowValues(q, 'accounts', 'accounts_kind_check', 'kind', ['MERGE_CLEARING']);
    await q.query(`
      ALTER TABLE transactions ADD CONSTRAINT transactions_merge_check CHECK (kind <> 'MERGE'
        OR (member_id IS NOT NULL AND partner_id IS NULL AND points <> 0 AND purchase_minor IS NULL AND reverses IS NULL));
      ALTER TABLE lots ADD COLUMN merged_from uuid REFERENCES lots (id);
      ALTER TABLE lots DROP CONSTRAINT lots_transaction_issuer_key;
      ALTER TABLE lots ADD CONSTRAINT lots_transaction_issuer_key UNIQUE NULLS NOT DISTINCT (transaction_id, partner_id, merged_from);
      CREATE INDEX member_closings_target_idx ON member_closings (target_member_id) WHERE target_member_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX member_closings_target_idx;
      ALTER TABLE lots DROP CONSTRAINT lots_transaction_issuer_key;
      ALTER TABLE lots ADD CONSTRAINT lots_transaction_issuer_key UNIQUE NULLS NOT DISTINCT (transaction_id, partner_id);
      ALTER TABLE lots DROP COLUMN merged_from;
      ALTER TABLE transactions DROP CONSTRAINT transactions_merge_check;
    `);
    await disallowValues(q, 'accounts', 'accounts_kind_check', 'kind', ['MERGE_CLEARING']);
    await disallowValues(q, 'transactions', 'transactions_kind_check', 'kind', ['MERGE']);
  }
}
