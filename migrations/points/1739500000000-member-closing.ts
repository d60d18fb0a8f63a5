import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { allowValues, disallowValues } from './allowed-values';

/**
 * Closed memberships, on the ledger's side (issue 16). The members subgraph closes a membership (or merges
 * it into another) as a saga; the ledger's step is one internal call per closing id:
 * - accounts.closed_at / closed_by: a closed member account takes no more writes. The flag is read in the
 *   very statement that locks the account (lockMemberAccount), so an earn pays no extra round trip; it is
 *   set once and never cleared.
 * - member_closings: the ledger's decision on each closing id, made once (idempotency by the primary key):
 *   what remained, what was forfeited to breakage (an EXPIRY transaction from the member's lots, so
 *   settlement adds up as for expired points) or left for the closing's donation, whose donation id is the
 *   closing id.
 * - donation_postings may refuse a donation because the member is closed (MEMBER_CLOSED).
 */
export class MemberClosing1739500000000 implements MigrationInterface {
  name = 'MemberClosing1739500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE accounts ADD COLUMN closed_at timestamptz, ADD COLUMN closed_by uuid,
        ADD CONSTRAINT accounts_closed_check CHECK ((closed_at IS NULL) = (closed_by IS NULL) AND (closed_at IS NULL OR kind = 'MEMBER'));

      CREATE FUNCTION ledger_account_closed_once() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF OLD.closed_at IS NOT NULL AND (NEW.closed_at IS DISTINCT FROM OLD.closed_at OR NEW.closed_by IS DISTINCT FROM OLD.closed_by) THEN
          RAISE EXCEPTION 'account % is closed for good', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER accounts_closed_once BEFORE UPDATE OF closed_at, closed_by ON accounts
        FOR EACH ROW EXECUTE FUNCTION ledger_account_closed_once();

      CREATE TABLE member_closings (
        closing_id       uuid        PRIMARY KEY,
        member_id        uuid        NOT NULL,
        disposition      text        NOT NULL CHECK (disposition IN ('FORFEIT', 'DONATE', 'MERGE')),
        target_member_id uuid,
        remaining_points bigint      NOT NULL CHECK (remaining_points >= 0),
        forfeited_points bigint      NOT NULL CHECK (forfeited_points >= 0),
        transaction_id   uuid        REFERENCES transactions (id),
        created_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT member_closings_target_check CHECK ((disposition = 'MERGE') = (target_member_id IS NOT NULL))
      );
      CREATE UNIQUE INDEX member_closings_member_idx ON member_closings (member_id);
      CREATE TRIGGER member_closings_append_only BEFORE UPDATE OR DELETE ON member_closings
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
    `);
    await allowValues(q, 'donation_postings', 'donation_postings_outcome_check', 'outcome', ['MEMBER_CLOSED']);
  }

  async down(q: QueryRunner): Promise<void> {
    await disallowValues(q, 'donation_postings', 'donation_postings_outcome_check', 'outcome', ['MEMBER_CLOSED']);
    await q.query(`
      DROP TABLE member_closings;
      DROP TRIGGER accounts_closed_once ON accounts; DROP FUNCTION ledger_account_closed_once();
      ALTER TABLE accounts DROP CONSTRAINT accounts_closed_check, DROP COLUMN closed_by, DROP COLUMN closed_at;
    `);
  }
}
