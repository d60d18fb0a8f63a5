import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { IDEMPOTENCY_TABLE_DDL } from '../../lib/src/idempotency';

/** Charities, and the donations made to them (point donations land with the donations issue). */
export class CreateCharities1732000000000 implements MigrationInterface {
  name = 'CreateCharities1732000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE charities (
        id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        name_normalized text        NOT NULL CHECK (name_normalized = lower(name)),
        description     text        CHECK (length(description) <= 2000),
        status          text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
        created_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT charities_name_key UNIQUE (name_normalized)
      );
      CREATE INDEX charities_created_at_idx ON charities (created_at, id);

      CREATE TABLE donations (
        id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        member_id  uuid        NOT NULL,
        charity_id uuid        NOT NULL REFERENCES charities (id),
        points     bigint      NOT NULL CHECK (points > 0),
        receipt_id text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT donations_receipt_id_key UNIQUE (receipt_id)
      );
      CREATE INDEX donations_member_idx ON donations (member_id, created_at DESC);
      ${IDEMPOTENCY_TABLE_DDL}
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys; DROP TABLE donations; DROP TABLE charities;`);
  }
}
