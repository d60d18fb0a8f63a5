import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { IDEMPOTENCY_TABLE_DDL } from '../../lib/src/idempotency';

/** Partners and their versioned contract terms. */
export class CreatePartners1732000000000 implements MigrationInterface {
  name = 'CreatePartners1732000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE partners (
        id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        name_normalized text        NOT NULL CHECK (name_normalized = lower(name)),
        status          text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
        currency        text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT partners_name_key UNIQUE (name_normalized)
      );
      CREATE INDEX partners_created_at_idx ON partners (created_at, id);

      CREATE TABLE partner_terms (
        id            bigserial     PRIMARY KEY,
        partner_id    uuid          NOT NULL REFERENCES partners (id),
        earn_rate     numeric(20,6) NOT NULL CHECK (earn_rate > 0),
        issue_price   numeric(20,6) NOT NULL CHECK (issue_price >= 0),
        reimbursement numeric(20,6) NOT NULL CHECK (reimbursement >= 0),
        valid_from    timestamptz   NOT NULL DEFAULT now(),
        CONSTRAINT partner_terms_version_key UNIQUE (partner_id, valid_from)
      );
      ${IDEMPOTENCY_TABLE_DDL}
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys; DROP TABLE partner_terms; DROP TABLE partners;`);
  }
}
