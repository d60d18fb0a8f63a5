import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { allowValues, disallowValues } from './allowed-values';

/**
 * Households (issue 18, part 6): members who pool points by transferring them to each other.
 * - households: one row per household ever formed; `dissolved_at` once fewer than two members are left.
 * - household_members: who is in a household now (primary key: the member, so one household at a time),
 *   with the display name the member showed the household when joining (erasure blanks it).
 * - household_invitations: a member invites another; the invitee accepts or declines once, before
 *   `expires_at`; accepting joins the inviter's household (or forms one with the inviter).
 * - household_transfers: one row per transfer, with the two TRANSFER transactions it wrote: the points leave
 *   the sender (points < 0) and reach the recipient (points > 0) through the household's clearing account
 *   (HOUSEHOLD_CLEARING, owned by the household id, not maintained), which both leave at zero. The yearly limit is
 *   summed from this table per sender (index on sender and time).
 * - lots: a transfer moves the points lot by lot, oldest expiry first: each draw on a sender's lot becomes a
 *   new lot of the recipient with the same earn (transaction_id), issuer, price, earn time and expiry;
 *   `transferred_from` names the lot drawn and `transfer_transaction_id` the TRANSFER that created it, which
 *   also records the new lot's movement (+points), so movements after a date still sum each lot's change.
 *   Settlement and liability by issuer do not change. The lot key becomes (earn, issuer, merged_from,
 *   transferred_from, transfer_transaction_id).
 */
export class Households1741300000000 implements MigrationInterface {
  name = 'Households1741300000000';

  async up(q: QueryRunner): Promise<void> {
    await allowValues(q, 'transactions', 'transactions_kind_check', 'kind', ['TRANSFER']);
    await allowValues(q, 'accounts', 'accounts_kind_check', 'kind', ['HOUSEHOLD_CLEARING']);
    await q.query(`
      ALTER TABLE transactions ADD CONSTRAINT transactions_transfer_check CHECK (kind <> 'TRANSFER'
        OR (member_id IS NOT NULL AND partner_id IS NULL AND points <> 0 AND purchase_minor IS NULL AND reverses IS NULL));

      CREATE TABLE households (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        created_by   uuid        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        dissolved_at timestamptz
      );

      CREATE TABLE household_members (
        member_id    uuid        PRIMARY KEY,
        household_id uuid        NOT NULL REFERENCES households (id),
        display_name text        NOT NULL,
        joined_at    timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX household_members_household_idx ON household_members (household_id);

      CREATE TABLE household_invitations (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        inviter_id   uuid        NOT NULL,
        inviter_name text        NOT NULL,
        invitee_id   uuid        NOT NULL CHECK (invitee_id <> inviter_id),
        status       text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED', 'CANCELLED')),
        household_id uuid        REFERENCES households (id),
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        answered_at  timestamptz,
        CONSTRAINT household_invitations_answer_check CHECK ((status = 'PENDING') = (answered_at IS NULL)),
        CONSTRAINT household_invitations_accepted_check CHECK ((status = 'ACCEPTED') = (household_id IS NOT NULL))
      );
      CREATE UNIQUE INDEX household_invitations_pending_key ON household_invitations (inviter_id, invitee_id) WHERE status = 'PENDING';
      CREATE INDEX household_invitations_invitee_idx ON household_invitations (invitee_id, created_at) WHERE status = 'PENDING';

      CREATE TABLE household_transfers (
        id                      uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        household_id            uuid        NOT NULL REFERENCES households (id),
        sender_id               uuid        NOT NULL,
        recipient_id            uuid        NOT NULL CHECK (recipient_id <> sender_id),
        points                  bigint      NOT NULL CHECK (points > 0),
        out_transaction_id      uuid        NOT NULL UNIQUE REFERENCES transactions (id),
        in_transaction_id       uuid        NOT NULL UNIQUE REFERENCES transactions (id),
        created_at              timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX household_transfers_sender_idx ON household_transfers (sender_id, created_at);
      CREATE TRIGGER household_transfers_append_only BEFORE UPDATE OR DELETE ON household_transfers FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      ALTER TABLE lots ADD COLUMN transferred_from uuid REFERENCES lots (id),
                       ADD COLUMN transfer_transaction_id uuid REFERENCES transactions (id),
                       ADD CONSTRAINT lots_transfer_check CHECK ((transferred_from IS NULL) = (transfer_transaction_id IS NULL));
      ALTER TABLE lots DROP CONSTRAINT lots_transaction_issuer_key;
      ALTER TABLE lots ADD CONSTRAINT lots_transaction_issuer_key UNIQUE NULLS NOT DISTINCT (transaction_id, partner_id, merged_from, transferred_from, transfer_transaction_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE lots DROP CONSTRAINT lots_transaction_issuer_key;
      ALTER TABLE lots ADD CONSTRAINT lots_transaction_issuer_key UNIQUE NULLS NOT DISTINCT (transaction_id, partner_id, merged_from);
      ALTER TABLE lots DROP CONSTRAINT lots_transfer_check, DROP COLUMN transfer_transaction_id, DROP COLUMN transferred_from;
      DROP TABLE household_transfers;
      DROP TABLE household_invitations;
      DROP TABLE household_members;
      DROP TABLE households;
      ALTER TABLE transactions DROP CONSTRAINT transactions_transfer_check;
    `);
    await disallowValues(q, 'accounts', 'accounts_kind_check', 'kind', ['HOUSEHOLD_CLEARING']);
    await disallowValues(q, 'transactions', 'transactions_kind_check', 'kind', ['TRANSFER']);
  }
}
