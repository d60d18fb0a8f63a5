import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The referral sweep looks only where something happened (issue 17's referral bonus, at scale). It used to
 * look, every sweep (every 5 s on every points instance), at every referred member whose referral was not
 * settled, for a first earn: 233 ms per sweep with 100,000 referred members who never bought, growing with
 * every such member for good.
 * - referral_checks: append-only signals "look at this member's referral again", written by the earn (only
 *   for a member whose referral is still open, in the earn's own statement) and by a new registration that
 *   names a referrer (its earn may have come first). The sweep takes signals in order (FOR UPDATE SKIP
 *   LOCKED), looks at those members once, pays what is due and deletes the signals it acted on, in the
 *   transaction that pays. A signal written while a sweep runs is a new row, which that sweep did not take:
 *   the next sweep looks again, so no earn is missed.
 * - Referrals open now are signalled once here, so the first sweep after this migration looks at each.
 */
export class ReferralChecks1741610000000 implements MigrationInterface {
  name = 'ReferralChecks1741610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE referral_checks (
        id        bigserial   PRIMARY KEY,
        member_id uuid        NOT NULL,
        queued_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO referral_checks (member_id)
      SELECT member_id FROM member_registrations WHERE referred_by IS NOT NULL AND referral_settled_at IS NULL ORDER BY member_id;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE referral_checks');
  }
}
