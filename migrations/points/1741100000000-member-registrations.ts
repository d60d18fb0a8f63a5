import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Welcome, referral and birthday bonuses (issue 17), and the member.enrolled event.
 * - member_registrations: what the ledger knows of a member from the members subgraph (its registration
 *   relay calls the internal `registerMembers`): when and by which partner they joined, who referred them,
 *   their birthday as month and day (never the year; erasure clears it). `version` orders updates, so a
 *   late retry never overwrites a newer birth date. `referral_settled_at`: the referral was paid (or found
 *   not payable); until then a referred member is due once their first earn that is not reversed exists.
 * - referral_bonuses: one row per friend (the key makes the referral once per friend), with the
 *   transactions that paid the friend and the referrer (null: the referrer's yearly cap was reached, or
 *   the referrer's membership is closed).
 * - birthday_bonuses: one row per member and year (the key makes it once a year whoever sweeps).
 * - welcome_bonus_rules: the welcome bonus in force, coalition-wide (partner_id null) or for members a
 *   partner enrolls, appended like terms (the newest in force wins); paid by the marketing budget.
 * - event_outbox may carry member.enrolled (to the enrolling partner's webhooks).
 */
export class MemberRegistrations1741100000000 implements MigrationInterface {
  name = 'MemberRegistrations1741100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE member_registrations (
        member_id              uuid        PRIMARY KEY,
        version                integer     NOT NULL CHECK (version >= 1),
        enrolled_at            timestamptz NOT NULL,
        enrolled_by_partner_id uuid,
        referred_by            uuid        CHECK (referred_by <> member_id),
        birth_month            smallint    CHECK (birth_month BETWEEN 1 AND 12),
        birth_day              smallint    CHECK (birth_day BETWEEN 1 AND 31),
        referral_settled_at    timestamptz,
        registered_at          timestamptz NOT NULL DEFAULT now(),
        updated_at             timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT member_registrations_birthday_check CHECK ((birth_month IS NULL) = (birth_day IS NULL)),
        CONSTRAINT member_registrations_referral_check CHECK (referral_settled_at IS NULL OR referred_by IS NOT NULL)
      );
      CREATE INDEX member_registrations_birthday_idx ON member_registrations (birth_month, birth_day) WHERE birth_month IS NOT NULL;
      CREATE INDEX member_registrations_referral_due_idx ON member_registrations (member_id) WHERE referred_by IS NOT NULL AND referral_settled_at IS NULL;

      CREATE TABLE referral_bonuses (
        friend_id                 uuid        PRIMARY KEY,
        referrer_id               uuid        NOT NULL,
        qualifying_transaction_id uuid        NOT NULL REFERENCES transactions (id),
        friend_transaction_id     uuid        UNIQUE REFERENCES transactions (id),
        referrer_transaction_id   uuid        UNIQUE REFERENCES transactions (id),
        friend_points             bigint      NOT NULL CHECK (friend_points >= 0),
        referrer_points           bigint      NOT NULL CHECK (referrer_points >= 0),
        created_at                timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT referral_bonuses_friend_paid_check CHECK ((friend_transaction_id IS NULL) = (friend_points = 0)),
        CONSTRAINT referral_bonuses_referrer_paid_check CHECK ((referrer_transaction_id IS NULL) = (referrer_points = 0))
      );
      CREATE INDEX referral_bonuses_referrer_idx ON referral_bonuses (referrer_id, created_at) WHERE referrer_transaction_id IS NOT NULL;
      CREATE TRIGGER referral_bonuses_append_only BEFORE UPDATE OR DELETE ON referral_bonuses FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      CREATE TABLE birthday_bonuses (
        member_id      uuid        NOT NULL,
        year           integer     NOT NULL,
        transaction_id uuid        NOT NULL UNIQUE REFERENCES transactions (id),
        points         bigint      NOT NULL CHECK (points > 0),
        created_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (member_id, year)
      );
      CREATE TRIGGER birthday_bonuses_append_only BEFORE UPDATE OR DELETE ON birthday_bonuses FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      CREATE TABLE welcome_bonus_rules (
        id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id     uuid,
        points         bigint      NOT NULL CHECK (points >= 0 AND points <= 1000000),
        effective_from timestamptz NOT NULL DEFAULT now(),
        created_by     text        NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX welcome_bonus_rules_partner_idx ON welcome_bonus_rules (partner_id, effective_from DESC);
      CREATE TRIGGER welcome_bonus_rules_append_only BEFORE UPDATE OR DELETE ON welcome_bonus_rules FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      ALTER TABLE event_outbox DROP CONSTRAINT event_outbox_type_check,
        ADD CONSTRAINT event_outbox_type_check CHECK (type IN ('points.earned', 'points.redeemed', 'points.reversed', 'hold.captured',
          'hold.voided', 'hold.expired', 'points.expiring', 'member.tier_changed', 'member.enrolled'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM event_outbox WHERE type = 'member.enrolled';
      ALTER TABLE event_outbox DROP CONSTRAINT event_outbox_type_check,
        ADD CONSTRAINT event_outbox_type_check CHECK (type IN ('points.earned', 'points.redeemed', 'points.reversed', 'hold.captured',
          'hold.voided', 'hold.expired', 'points.expiring', 'member.tier_changed'));
      DROP TABLE welcome_bonus_rules, birthday_bonuses, referral_bonuses, member_registrations;
    `);
  }
}
