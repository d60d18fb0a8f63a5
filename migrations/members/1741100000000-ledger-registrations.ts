import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Members registered with the points ledger (issue 17: welcome, referral and birthday bonuses). The ledger
 * needs a few facts of each member that only this subgraph holds: when and by which partner the member
 * joined, who referred them, their birthday (month and day, never the year). A row here is the outbox
 * entry that carries them there: written in the transaction that enrolls the member (or changes the birth
 * date, or erases it: `version` goes up), sent by the registration relay to the points subgraph's
 * idempotent internal `registerMembers` until `sent_version` catches up. The facts themselves are read
 * from `members` when sent, so the ledger always gets the current ones, and an erased birth date is sent
 * as none. Members enrolled before this migration are queued too, so each gets its registration once.
 */
export class LedgerRegistrations1741100000000 implements MigrationInterface {
  name = 'LedgerRegistrations1741100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_registrations (
        member_id       uuid        PRIMARY KEY REFERENCES members (id),
        version         integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
        sent_version    integer     NOT NULL DEFAULT 0 CHECK (sent_version >= 0 AND sent_version <= version),
        attempts        integer     NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      text,
        created_at      timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ledger_registrations_due_idx ON ledger_registrations (next_attempt_at) WHERE sent_version < version;
      INSERT INTO ledger_registrations (member_id, created_at) SELECT id, enrolled_at FROM members;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ledger_registrations');
  }
}
