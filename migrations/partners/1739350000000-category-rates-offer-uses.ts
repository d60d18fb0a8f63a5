import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Earning rules a partner sets for itself (issue 17).
 * - Category rates: extra earn on a category of goods (for example 15 % more on produce), as a percent
 *   of what the purchase line earns at the earn rate. Effective-dated and append-only like contract terms:
 *   a change is a new row in force from `valid_from`; the newest row per category in force wins, and a
 *   rate of 0 ends a category's extra. Categories are kept in lower case (compared without case).
 * - Offers say how many times one member's activation applies (`uses_per_member`, default once).
 */
export class CategoryRatesOfferUses1739350000000 implements MigrationInterface {
  name = 'CategoryRatesOfferUses1739350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE partner_category_rates (
        id            uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id    uuid         NOT NULL REFERENCES partners (id),
        category      text         NOT NULL CHECK (category ~ '^[\\x21-\\x7e]{1,64}$' AND category = lower(category)),
        extra_percent numeric(7,2) NOT NULL CHECK (extra_percent BETWEEN 0 AND 1000),
        valid_from    timestamptz  NOT NULL,
        created_at    timestamptz  NOT NULL DEFAULT now(),
        created_by    text         NOT NULL,
        CONSTRAINT partner_category_rates_version_key UNIQUE (partner_id, category, valid_from)
      );
      CREATE TRIGGER partner_category_rates_append_only BEFORE UPDATE OR DELETE ON partner_category_rates
        FOR EACH ROW EXECUTE FUNCTION partners_forbid_change();
      CREATE TRIGGER partner_category_rates_no_truncate BEFORE TRUNCATE ON partner_category_rates
        FOR EACH STATEMENT EXECUTE FUNCTION partners_forbid_change();

      ALTER TABLE offers ADD COLUMN uses_per_member integer NOT NULL DEFAULT 1 CHECK (uses_per_member BETWEEN 1 AND 100);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offers DROP COLUMN uses_per_member; DROP TABLE partner_category_rates;`);
  }
}
