import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Offers that take effect: a member activates a partner's earn offer (the catalogue is the partners
 * subgraph's); the activation keeps what the offer said at that moment (kind, multiplier or bonus, window,
 * lowest tier, how many earns it applies to), so the earn reads everything it needs from this database.
 * Each qualifying earn at the partner inside the window uses it once (`uses`, in the earn's transaction;
 * the earn's OFFER award names the offer); reversing that earn gives the use back. One activation per
 * member and offer.
 */
export class OfferActivations1739320000000 implements MigrationInterface {
  name = 'OfferActivations1739320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE offer_activations (
        id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        member_id        uuid        NOT NULL,
        offer_id         uuid        NOT NULL,
        partner_id       uuid        NOT NULL,
        kind             text        NOT NULL CHECK (kind IN ('MULTIPLIER', 'BONUS_POINTS')),
        multiplier_milli integer     CHECK (multiplier_milli > 1000 AND multiplier_milli <= 10000),
        bonus_points     bigint      CHECK (bonus_points BETWEEN 1 AND 1000000),
        min_tier         text,
        valid_from       timestamptz NOT NULL,
        valid_to         timestamptz,
        uses_allowed     integer     NOT NULL CHECK (uses_allowed BETWEEN 1 AND 100),
        uses             integer     NOT NULL DEFAULT 0,
        activated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT offer_activations_uses_check CHECK (uses BETWEEN 0 AND uses_allowed),
        CONSTRAINT offer_activations_kind_values CHECK ((kind = 'MULTIPLIER') = (multiplier_milli IS NOT NULL) AND (kind = 'BONUS_POINTS') = (bonus_points IS NOT NULL)),
        CONSTRAINT offer_activations_member_offer_key UNIQUE (member_id, offer_id)
      );
      CREATE INDEX offer_activations_open_idx ON offer_activations (member_id, partner_id) WHERE uses < uses_allowed;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE offer_activations;`);
  }
}
