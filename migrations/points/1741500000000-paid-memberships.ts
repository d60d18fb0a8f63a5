import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Paid membership (issue 18, part 1).
 * - membership_plans: what the admin sells (price and currency, period in months, perks: an earn
 *   multiplier, a tier floor, monthly bonus points, early access to offers). Append-only: a plan sold
 *   keeps its terms; a changed offer is a new plan.
 * - memberships: one row per member (the member's paid membership, whichever plan), the current run:
 *   `anchor_at` is when the run started and `months` how many months have been bought in it, so the period
 *   ends at anchor_at + months (no drift from month-end clamping across renewals). A purchase while active
 *   adds months; after the end it starts a new run. `cancel_at_period_end`: cancelled, the perks last until
 *   period_end. `status` is ACTIVE until the ledger sweeper marks an ended run EXPIRED (reads never rely on it:
 *   period_end decides, by the database clock).
 * - membership_purchases: every sale, with the selling partner (null: sold by the coalition itself), the
 *   payment's reference and the price: the fee the selling partner collected and owes the coalition
 *   (settlement statement `membershipFees`). Append-only.
 * - membership_bonuses: the monthly bonus points, once per membership and month of membership (the key:
 *   the month's start, anchor_at + k months), with the BONUS transaction that paid them from the marketing
 *   budget. Append-only.
 */
export class PaidMemberships1741500000000 implements MigrationInterface {
  name = 'PaidMemberships1741500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE membership_plans (
        id                    uuid        PRIMARY KEY,
        name                  text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        price_minor           bigint      NOT NULL CHECK (price_minor > 0),
        currency              text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        period_months         integer     NOT NULL CHECK (period_months BETWEEN 1 AND 36),
        earn_multiplier_milli integer     NOT NULL DEFAULT 1000 CHECK (earn_multiplier_milli BETWEEN 1000 AND 10000),
        tier_floor            text,
        monthly_bonus_points  bigint      NOT NULL DEFAULT 0 CHECK (monthly_bonus_points BETWEEN 0 AND 1000000),
        early_access_days     integer     NOT NULL DEFAULT 0 CHECK (early_access_days BETWEEN 0 AND 90),
        created_by            text        NOT NULL,
        created_at            timestamptz NOT NULL DEFAULT now()
      );
      CREATE TRIGGER membership_plans_append_only BEFORE UPDATE OR DELETE ON membership_plans FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      CREATE TABLE memberships (
        id                   uuid        PRIMARY KEY,
        member_id            uuid        NOT NULL UNIQUE,
        plan_id              uuid        NOT NULL REFERENCES membership_plans (id),
        anchor_at            timestamptz NOT NULL,
        months               integer     NOT NULL CHECK (months >= 1),
        period_end           timestamptz NOT NULL CHECK (period_end > anchor_at),
        cancel_at_period_end boolean     NOT NULL DEFAULT false,
        cancelled_at         timestamptz,
        status               text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'EXPIRED')),
        expired_at           timestamptz,
        started_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT memberships_cancel_check CHECK (cancel_at_period_end = (cancelled_at IS NOT NULL)),
        CONSTRAINT memberships_expired_check CHECK ((status = 'EXPIRED') = (expired_at IS NOT NULL))
      );
      -- The earn reads a member's active membership; the sweeper finds active ones (bonuses) and ended ones (status).
      CREATE INDEX memberships_active_idx ON memberships (period_end) WHERE status = 'ACTIVE';

      CREATE TABLE membership_purchases (
        id                uuid        PRIMARY KEY,
        membership_id     uuid        NOT NULL REFERENCES memberships (id),
        member_id         uuid        NOT NULL,
        plan_id           uuid        NOT NULL REFERENCES membership_plans (id),
        partner_id        uuid,
        payment_reference text        NOT NULL CHECK (length(payment_reference) BETWEEN 1 AND 255),
        price_minor       bigint      NOT NULL CHECK (price_minor > 0),
        currency          text        NOT NULL,
        period_start      timestamptz NOT NULL,
        period_end        timestamptz NOT NULL CHECK (period_end > period_start),
        renewal           boolean     NOT NULL,
        created_by        text        NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now()
      );
      -- A payment pays for one sale: the same reference twice at one seller is refused.
      CREATE UNIQUE INDEX membership_purchases_reference_idx ON membership_purchases (coalesce(partner_id, '00000000-0000-0000-0000-000000000000'::uuid), payment_reference);
      CREATE INDEX membership_purchases_partner_idx ON membership_purchases (partner_id, created_at);
      CREATE INDEX membership_purchases_member_idx ON membership_purchases (member_id, created_at);
      CREATE TRIGGER membership_purchases_append_only BEFORE UPDATE OR DELETE ON membership_purchases FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      CREATE TABLE membership_bonuses (
        membership_id  uuid        NOT NULL REFERENCES memberships (id),
        month_start    timestamptz NOT NULL,
        transaction_id uuid        NOT NULL UNIQUE REFERENCES transactions (id),
        points         bigint      NOT NULL CHECK (points > 0),
        created_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (membership_id, month_start)
      );
      CREATE TRIGGER membership_bonuses_append_only BEFORE UPDATE OR DELETE ON membership_bonuses FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE membership_bonuses, membership_purchases, memberships, membership_plans;');
  }
}
