import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Stamp cards (issue 17): a partner's card ("buy 9 coffees, the 10th is on us"): how many stamps fill it,
 * what earns a stamp (a purchase of at least `min_amount_minor`; only lines of a category or a SKU; one
 * per purchase or one per unit bought), the reward (points, paid by the partner) and its validity.
 * - stamp_card_progress: a member's stamps on the current card and how many cards they filled (each
 *   rewarded once, when filled; the card then starts again).
 * - stamp_events: what each earn collected (stamps, cards filled), so a reversal takes exactly that back.
 */
export class StampCards1739330000000 implements MigrationInterface {
  name = 'StampCards1739330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stamp_cards (
        id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id       uuid        NOT NULL,
        name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        stamps_required  integer     NOT NULL CHECK (stamps_required BETWEEN 2 AND 100),
        min_amount_minor bigint      CHECK (min_amount_minor > 0),
        min_amount_currency text     CHECK (min_amount_currency ~ '^[A-Z]{3}$'),
        category         text        CHECK (category = lower(category) AND length(category) BETWEEN 1 AND 64),
        sku              text        CHECK (length(sku) BETWEEN 1 AND 64),
        per_quantity     boolean     NOT NULL DEFAULT false,
        reward_points    bigint      NOT NULL CHECK (reward_points BETWEEN 1 AND 1000000),
        starts_at        timestamptz NOT NULL,
        ends_at          timestamptz,
        created_by       text        NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stamp_cards_min_amount_pair CHECK ((min_amount_minor IS NULL) = (min_amount_currency IS NULL)),
        CONSTRAINT stamp_cards_one_filter CHECK (category IS NULL OR sku IS NULL),
        CONSTRAINT stamp_cards_window CHECK (ends_at IS NULL OR ends_at > starts_at)
      );
      CREATE INDEX stamp_cards_partner_idx ON stamp_cards (partner_id, starts_at);

      CREATE TABLE stamp_card_progress (
        member_id uuid    NOT NULL,
        card_id   uuid    NOT NULL REFERENCES stamp_cards (id),
        stamps    integer NOT NULL DEFAULT 0 CHECK (stamps >= 0),
        filled    integer NOT NULL DEFAULT 0 CHECK (filled >= 0),
        PRIMARY KEY (member_id, card_id)
      );

      CREATE TABLE stamp_events (
        transaction_id uuid    NOT NULL REFERENCES transactions (id),
        card_id        uuid    NOT NULL REFERENCES stamp_cards (id),
        member_id      uuid    NOT NULL,
        stamps         integer NOT NULL CHECK (stamps > 0),
        filled         integer NOT NULL CHECK (filled >= 0),
        PRIMARY KEY (transaction_id, card_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stamp_events; DROP TABLE stamp_card_progress; DROP TABLE stamp_cards;`);
  }
}
