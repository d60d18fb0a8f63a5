import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Segments and personal offers (issue 18, part 3).
 * - member_registrations gains what segments ask of a member that only the members subgraph knows, sent by
 *   its registration relay like the birthday: the consents (marketing, partner data sharing) and the city
 *   of the store the member enrolled at. Until a member's next registration arrives (the members migration
 *   of this release queues every member again), consents read as not given: no personal offers by default.
 * - segments: a partner's (partner_id) or the coalition's (null) rule over the ledger's tables, as jsonb
 *   checked by the service (domain/segment.rules.ts); evaluated when asked, never materialised, so a
 *   segment's size and membership are always those of now.
 * Indexes for what the rules filter on: the enrolling store's city (by its key, lower case), the marketing
 * consent (the personal offers' own filter), the birth month (1741100000000 has it); spend, visits and
 * last activity read transactions by partner and time or by member and time (existing indexes), tiers
 * the running qualifying points (primary key by member and month).
 */
export class Segments1741400000000 implements MigrationInterface {
  name = 'Segments1741400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE member_registrations
        ADD COLUMN marketing_consent    boolean NOT NULL DEFAULT false,
        ADD COLUMN partner_data_sharing boolean NOT NULL DEFAULT false,
        ADD COLUMN enrolled_city        text    CHECK (length(enrolled_city) BETWEEN 1 AND 100);
      CREATE INDEX member_registrations_city_idx ON member_registrations (lower(btrim(enrolled_city))) WHERE enrolled_city IS NOT NULL;
      CREATE INDEX member_registrations_marketing_idx ON member_registrations (member_id) WHERE marketing_consent;

      CREATE TABLE segments (
        id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id uuid,
        name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
        rule       jsonb       NOT NULL CHECK (jsonb_typeof(rule) = 'object'),
        created_by text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX segments_partner_idx ON segments (partner_id, created_at, id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE segments;
      ALTER TABLE member_registrations DROP COLUMN marketing_consent, DROP COLUMN partner_data_sharing, DROP COLUMN enrolled_city;
    `);
  }
}
