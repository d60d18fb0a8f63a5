import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Stamp cards whose reward is an offer (issue 17): a partner's card can reward one of its own earn offers
 * (MULTIPLIER or BONUS_POINTS) instead of points.
 * - stamp_cards: `reward_points` or `reward_offer_id`, exactly one. The card keeps what the offer said when
 *   the card was made (kind, multiplier or bonus, lowest tier, window, uses), as an activation does: the
 *   earn that fills the card reads it from this database.
 * - offer_activations: each full card activates the offer for the member once, as a row of its own
 *   (`granted_by_transaction`, `stamp_card_id`); a member's own activation stays one per offer (the unique
 *   key now covers those only). `voided_at`: a granted activation taken back when the purchase that filled
 *   its card is refunded before it was used; a voided activation applies to no earn.
 * - offer_uses: which activation each earn used and the points it gave, so a refund gives back exactly
 *   that use (a member may now hold two activations of one offer) and a reward already used is clawed back
 *   for exactly what it gave. Earns made before are filled in: each member then held at most one
 *   activation per offer, so the OFFER award's offer names its activation.
 */
export class StampCardOfferRewards1740460000000 implements MigrationInterface {
  name = 'StampCardOfferRewards1740460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE stamp_cards
        ALTER COLUMN reward_points DROP NOT NULL,
        ADD COLUMN reward_offer_id         uuid,
        ADD COLUMN reward_offer_kind       text CHECK (reward_offer_kind IN ('MULTIPLIER', 'BONUS_POINTS')),
        ADD COLUMN reward_multiplier_milli integer CHECK (reward_multiplier_milli > 1000 AND reward_multiplier_milli <= 10000),
        ADD COLUMN reward_bonus_points     bigint CHECK (reward_bonus_points BETWEEN 1 AND 1000000),
        ADD COLUMN reward_min_tier         text,
        ADD COLUMN reward_valid_from       timestamptz,
        ADD COLUMN reward_valid_to         timestamptz,
        ADD COLUMN reward_uses             integer CHECK (reward_uses BETWEEN 1 AND 100),
        ADD CONSTRAINT stamp_cards_one_reward CHECK ((reward_points IS NULL) <> (reward_offer_id IS NULL)),
        ADD CONSTRAINT stamp_cards_offer_reward CHECK (reward_offer_id IS NULL OR (reward_offer_kind IS NOT NULL AND reward_valid_from IS NOT NULL
          AND reward_uses IS NOT NULL AND (reward_offer_kind = 'MULTIPLIER') = (reward_multiplier_milli IS NOT NULL)
          AND (reward_offer_kind = 'BONUS_POINTS') = (reward_bonus_points IS NOT NULL)));

      ALTER TABLE offer_activations
        ADD COLUMN granted_by_transaction uuid REFERENCES transactions (id),
        ADD COLUMN stamp_card_id          uuid REFERENCES stamp_cards (id),
        ADD COLUMN voided_at              timestamptz,
        ADD CONSTRAINT offer_activations_granted_pair CHECK ((granted_by_transaction IS NULL) = (stamp_card_id IS NULL)),
        ADD CONSTRAINT offer_activations_void_granted CHECK (voided_at IS NULL OR granted_by_transaction IS NOT NULL),
        DROP CONSTRAINT offer_activations_member_offer_key;
      CREATE UNIQUE INDEX offer_activations_member_offer_key ON offer_activations (member_id, offer_id) WHERE granted_by_transaction IS NULL;
      CREATE INDEX offer_activations_granted_idx ON offer_activations (granted_by_transaction) WHERE granted_by_transaction IS NOT NULL;
      CREATE INDEX offer_activations_card_idx ON offer_activations (member_id, stamp_card_id) WHERE stamp_card_id IS NOT NULL;
      DROP INDEX offer_activations_open_idx;
      CREATE INDEX offer_activations_open_idx ON offer_activations (member_id, partner_id) WHERE uses < uses_allowed AND voided_at IS NULL;

      CREATE TABLE offer_uses (
        transaction_id uuid   NOT NULL REFERENCES transactions (id),
        activation_id  uuid   NOT NULL REFERENCES offer_activations (id),
        points         bigint NOT NULL CHECK (points >= 0),
        PRIMARY KEY (transaction_id, activation_id)
      );
      CREATE INDEX offer_uses_activation_idx ON offer_uses (activation_id);
      INSERT INTO offer_uses (transaction_id, activation_id, points)
      SELECT w.transaction_id, a.id, w.points
        FROM transaction_awards w
        JOIN transactions t ON t.id = w.transaction_id
        JOIN offer_activations a ON a.member_id = t.member_id AND a.offer_id = w.rule_id::uuid
       WHERE w.kind = 'OFFER' AND t.kind = 'EARN';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE offer_uses;
      DROP INDEX offer_activations_open_idx;
      CREATE INDEX offer_activations_open_idx ON offer_activations (member_id, partner_id) WHERE uses < uses_allowed;
      DROP INDEX offer_activations_card_idx;
      DROP INDEX offer_activations_granted_idx;
      DROP INDEX offer_activations_member_offer_key;
      DELETE FROM offer_activations WHERE granted_by_transaction IS NOT NULL;
      ALTER TABLE offer_activations DROP COLUMN voided_at, DROP COLUMN stamp_card_id, DROP COLUMN granted_by_transaction,
        ADD CONSTRAINT offer_activations_member_offer_key UNIQUE (member_id, offer_id);
      DELETE FROM stamp_card_progress WHERE card_id IN (SELECT id FROM stamp_cards WHERE reward_offer_id IS NOT NULL);
      DELETE FROM stamp_events WHERE card_id IN (SELECT id FROM stamp_cards WHERE reward_offer_id IS NOT NULL);
      DELETE FROM stamp_cards WHERE reward_offer_id IS NOT NULL;
      ALTER TABLE stamp_cards DROP CONSTRAINT stamp_cards_offer_reward, DROP CONSTRAINT stamp_cards_one_reward,
        DROP COLUMN reward_uses, DROP COLUMN reward_valid_to, DROP COLUMN reward_valid_from, DROP COLUMN reward_min_tier,
        DROP COLUMN reward_bonus_points, DROP COLUMN reward_multiplier_milli, DROP COLUMN reward_offer_kind, DROP COLUMN reward_offer_id,
        ALTER COLUMN reward_points SET NOT NULL;
    `);
  }
}
