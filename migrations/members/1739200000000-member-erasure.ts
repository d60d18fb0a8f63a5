import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { AUDIT_ERASURE_DDL, AUDIT_ERASURE_DROP } from '../member-erasure-ddl';

/**
 * Erasure (GDPR art. 17): the request, recorded once per member in the transaction that replaces the
 * member's personal data here with a pseudonym, and what is left to do: the other subgraphs (points,
 * donations, partners) each erase their part through an internal operation, idempotent by the request id;
 * a reconciler drives requests left incomplete by a crash. `subjects` holds the person's token subjects
 * (their identity links, the subjects of their own calls) for the other subgraphs' audit logs, only until
 * the request is complete. The audit log may have subject and idempotency key replaced by their erased form.
 */
export class MemberErasure1739200000000 implements MigrationInterface {
  name = 'MemberErasure1739200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE members ADD COLUMN erased_at timestamptz;
      CREATE TABLE member_erasure_requests (
        id           uuid        PRIMARY KEY,
        member_id    uuid        NOT NULL REFERENCES members (id),
        requested_by text        NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 255),
        requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        subjects     text[]      NOT NULL DEFAULT '{}',
        remaining    text[]      NOT NULL CHECK (remaining <@ ARRAY['points', 'donations', 'partners']),
        attempts     integer     NOT NULL DEFAULT 0,
        completed_at timestamptz,
        CONSTRAINT member_erasure_requests_member_key UNIQUE (member_id),
        CONSTRAINT member_erasure_requests_complete_check CHECK ((completed_at IS NOT NULL) = (remaining = '{}')),
        CONSTRAINT member_erasure_requests_forget_check CHECK (completed_at IS NULL OR subjects = '{}')
      );
      CREATE INDEX member_erasure_requests_open_idx ON member_erasure_requests (requested_at) WHERE completed_at IS NULL;
      ${AUDIT_ERASURE_DDL}
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`${AUDIT_ERASURE_DROP} DROP TABLE member_erasure_requests; ALTER TABLE members DROP COLUMN erased_at;`);
  }
}
