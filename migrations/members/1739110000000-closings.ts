import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Closing a membership and merging duplicates (issue 16), as one saga per closing: a `closings` row is the
 * request (PENDING, the saga's outbox entry), driven through the points subgraph (and the donations
 * subgraph for a donation) by id, then DONE with the member CLOSED, or FAILED (open holds) with nothing
 * changed. A member is closed at most once (one closing per member that is not FAILED). A merged member
 * is CLOSED and names the member it was merged into.
 */
export class MemberClosings1739110000000 implements MigrationInterface {
  name = 'MemberClosings1739110000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE members ADD COLUMN closed_at timestamptz, ADD COLUMN merged_into uuid REFERENCES members (id);
      UPDATE members SET closed_at = enrolled_at WHERE status = 'CLOSED';
      ALTER TABLE members ADD CONSTRAINT members_closed_check CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL)),
        ADD CONSTRAINT members_merged_check CHECK (merged_into IS NULL OR (status = 'CLOSED' AND merged_into <> id));

      CREATE TABLE closings (
        id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        member_id        uuid        NOT NULL REFERENCES members (id),
        kind             text        NOT NULL CHECK (kind IN ('CLOSE', 'MERGE')),
        disposition      text        CHECK (disposition IN ('FORFEIT', 'DONATE')),
        charity_id       uuid,
        target_member_id uuid        REFERENCES members (id),
        status           text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
        failure          text        CHECK (failure IN ('OPEN_HOLDS')),
        remaining_points bigint,
        forfeited_points bigint,
        donated_points   bigint,
        requested_by     text        NOT NULL,
        attempts         integer     NOT NULL DEFAULT 0,
        last_error       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        finished_at      timestamptz,
        CONSTRAINT closings_shape_check CHECK (
          (kind = 'CLOSE' AND disposition IS NOT NULL AND target_member_id IS NULL AND (disposition = 'DONATE') = (charity_id IS NOT NULL))
          OR (kind = 'MERGE' AND disposition IS NULL AND charity_id IS NULL AND target_member_id IS NOT NULL AND target_member_id <> member_id)),
        CONSTRAINT closings_finished_check CHECK ((status = 'PENDING') = (finished_at IS NULL)),
        CONSTRAINT closings_failed_check CHECK ((status = 'FAILED') = (failure IS NOT NULL))
      );
      CREATE UNIQUE INDEX closings_one_per_member_idx ON closings (member_id) WHERE status <> 'FAILED';
      CREATE INDEX closings_pending_idx ON closings (created_at) WHERE status = 'PENDING';
      CREATE INDEX closings_target_idx ON closings (target_member_id) WHERE status = 'PENDING';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE closings;
      ALTER TABLE members DROP CONSTRAINT members_merged_check, DROP CONSTRAINT members_closed_check, DROP COLUMN merged_into, DROP COLUMN closed_at;
    `);
  }
}
