import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * POINTS_PRICE offers redeemed (issue 17, item 4): "free coffee for 200 points" is a redemption of that
 * many points at the offer's partner, made at its till with the member's redemption code
 * (`redeemPoints` naming the offer). The REDEEM transaction is the ledger's record (lots drawn, honoured by
 * the partner at its reimbursement in settlement); this table says which offer it redeemed, at what price.
 */
export class OfferRedemptions1740470000000 implements MigrationInterface {
  name = 'OfferRedemptions1740470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE offer_redemptions (
        transaction_id uuid        PRIMARY KEY REFERENCES transactions (id),
        offer_id       uuid        NOT NULL,
        member_id      uuid        NOT NULL,
        partner_id     uuid        NOT NULL,
        points         bigint      NOT NULL CHECK (points > 0),
        created_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX offer_redemptions_member_idx ON offer_redemptions (member_id, created_at);
      CREATE INDEX offer_redemptions_offer_idx ON offer_redemptions (offer_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE offer_redemptions');
  }
}
