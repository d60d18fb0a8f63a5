import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Change notices for the subgraphs that keep a partner's facts in memory (the points subgraph's earn
 * keeps the calling partner's status, currency, terms and category rates): every change to a partner
 * (its status above all: a suspension must stop earns at once), and every appended version of its terms
 * or category rates, and every change to one of its stores (closed, reopened), is announced on the PostgreSQL channel `hub_partner_changes` with the partner's id.
 * NOTIFY is transactional: heard once the change commits, never for a rolled-back one. The tables stay
 * the record: a listener that missed a notice (not connected) must not trust what it kept.
 */
export class PartnerChangeNotices1740450000000 implements MigrationInterface {
  name = 'PartnerChangeNotices1740450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION partners_notify_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        -- Two statements, not one CASE: a record's missing field fails even in a branch never taken.
        IF TG_TABLE_NAME = 'partners' THEN
          PERFORM pg_notify('hub_partner_changes', NEW.id::text);
        ELSE
          PERFORM pg_notify('hub_partner_changes', NEW.partner_id::text);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER partners_change_notice AFTER UPDATE ON partners FOR EACH ROW EXECUTE FUNCTION partners_notify_change();
      CREATE TRIGGER partner_terms_change_notice AFTER INSERT ON partner_terms FOR EACH ROW EXECUTE FUNCTION partners_notify_change();
      CREATE TRIGGER partner_category_rates_change_notice AFTER INSERT ON partner_category_rates FOR EACH ROW EXECUTE FUNCTION partners_notify_change();
      CREATE TRIGGER stores_change_notice AFTER UPDATE ON stores FOR EACH ROW EXECUTE FUNCTION partners_notify_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER stores_change_notice ON stores;
      DROP TRIGGER partner_category_rates_change_notice ON partner_category_rates;
      DROP TRIGGER partner_terms_change_notice ON partner_terms;
      DROP TRIGGER partners_change_notice ON partners;
      DROP FUNCTION partners_notify_change();
    `);
  }
}
