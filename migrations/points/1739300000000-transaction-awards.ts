import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Why a member got each point: one row per rule that gave points in a transaction (the base rate, the
 * tier, a campaign, a category rate, an offer, a stamp card, a bonus...), with who funds them (a
 * partner, or NULL for the coalition) and the rule's id. Written in the transaction's own database
 * transaction; append-only like the ledger. At commit the awards of a transaction add up to its points
 * (a transaction with no award rows is not checked: redemptions, expiries, donations have none).
 * Earns written before this migration get their breakdown from the columns they carried
 * (base_points, tier multiplier, campaign_bonus), funded by their partner, as they were posted.
 */
export class TransactionAwards1739300000000 implements MigrationInterface {
  name = 'TransactionAwards1739300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transaction_awards (
        transaction_id uuid    NOT NULL REFERENCES transactions (id),
        position       integer NOT NULL CHECK (position >= 0),
        kind           text    NOT NULL CHECK (kind IN ('BASE', 'TIER', 'CAMPAIGN', 'CATEGORY', 'OFFER', 'STAMP_CARD', 'MEMBERSHIP',
                                                        'WELCOME', 'REFERRAL', 'BIRTHDAY', 'GOODWILL', 'GAME')),
        points         bigint  NOT NULL CHECK (points <> 0),
        funded_by      uuid,
        rule_id        text    CHECK (length(rule_id) BETWEEN 1 AND 100),
        PRIMARY KEY (transaction_id, position)
      );
      CREATE INDEX transaction_awards_rule_idx ON transaction_awards (rule_id) WHERE rule_id IS NOT NULL;
      CREATE TRIGGER transaction_awards_append_only BEFORE UPDATE OR DELETE ON transaction_awards
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER transaction_awards_no_truncate BEFORE TRUNCATE ON transaction_awards
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();

      CREATE FUNCTION ledger_check_awards() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE total numeric; claimed numeric;
      BEGIN
        SELECT coalesce(sum(points), 0) INTO total FROM transaction_awards WHERE transaction_id = NEW.transaction_id;
        SELECT points INTO claimed FROM transactions WHERE id = NEW.transaction_id;
        IF total <> claimed THEN
          RAISE EXCEPTION 'awards of transaction % add up to % but it moves % points', NEW.transaction_id, total, claimed USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER transaction_awards_add_up AFTER INSERT ON transaction_awards
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_awards();

      INSERT INTO transaction_awards (transaction_id, position, kind, points, funded_by, rule_id)
      SELECT t.id, a.position, a.kind, a.points, t.partner_id, NULL
        FROM transactions t
        CROSS JOIN LATERAL (VALUES (0, 'BASE', t.base_points),
                                   (1, 'TIER', t.points - t.base_points - t.campaign_bonus),
                                   (2, 'CAMPAIGN', t.campaign_bonus)) AS a (position, kind, points)
       WHERE t.kind = 'EARN' AND t.base_points IS NOT NULL AND t.campaign_bonus IS NOT NULL AND a.points <> 0;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE transaction_awards; DROP FUNCTION ledger_check_awards();`);
  }
}
