import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Personal offers (issue 18, part 3): an offer may target a segment, which the points subgraph owns and
 * evaluates (so no foreign key: the id is checked with points, as the caller, when the offer is made or
 * changed). Null: an offer for every member whose tier reaches it, as before.
 */
export class OfferSegments1741400000000 implements MigrationInterface {
  name = 'OfferSegments1741400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE offers ADD COLUMN segment_id uuid;
      CREATE INDEX offers_segment_idx ON offers (segment_id) WHERE segment_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE offers DROP COLUMN segment_id');
  }
}
