import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What an earn was for: the store it was made at (the partners subgraph owns stores; the earn checked it
 * was the partner's own and active) and the basket's lines (sku, category, quantity, amount in minor
 * units of the purchase's currency; they add up to the purchase). One row per earn that carried either,
 * written in the earn's transaction, append-only. The store is kept on the row so statements can total
 * a partner's earns per store; `partner_id` repeats the transaction's for that index.
 */
export class EarnBaskets1739310000000 implements MigrationInterface {
  name = 'EarnBaskets1739310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE earn_baskets (
        transaction_id uuid  PRIMARY KEY REFERENCES transactions (id),
        partner_id     uuid  NOT NULL,
        store_id       uuid,
        lines          jsonb CHECK (jsonb_typeof(lines) = 'array' AND jsonb_array_length(lines) BETWEEN 1 AND 200),
        CONSTRAINT earn_baskets_something CHECK (store_id IS NOT NULL OR lines IS NOT NULL)
      );
      CREATE INDEX earn_baskets_partner_store_idx ON earn_baskets (partner_id, store_id);
      CREATE TRIGGER earn_baskets_append_only BEFORE UPDATE OR DELETE ON earn_baskets
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER earn_baskets_no_truncate BEFORE TRUNCATE ON earn_baskets
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE earn_baskets;`);
  }
}
