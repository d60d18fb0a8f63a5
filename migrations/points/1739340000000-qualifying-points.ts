import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Qualifying points as a running figure (issue 17, point 9): what places a member in a tier was the sum of
 * the member's unreversed earns of the last 12 months, read at every earn; its cost grew with the member's
 * history (95 ms at 15,000 earns). Now each earn adds its points to the member's bucket for its calendar
 * month (UTC), in the earn's own transaction, and a reversal takes the earn's points out of the bucket of
 * the earn's month; the standing sums at most 12 buckets: the current month and the 11 before it.
 * Existing earns are summed into their buckets here.
 */
export class QualifyingPoints1739340000000 implements MigrationInterface {
  name = 'QualifyingPoints1739340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE qualifying_points (
        member_id uuid   NOT NULL,
        month     date   NOT NULL CHECK (extract(day FROM month) = 1),
        points    bigint NOT NULL CHECK (points >= 0),
        PRIMARY KEY (member_id, month)
      );
      INSERT INTO qualifying_points (member_id, month, points)
      SELECT t.member_id, date_trunc('month', t.created_at AT TIME ZONE 'UTC')::date, sum(t.points)
        FROM transactions t
       WHERE t.kind = 'EARN' AND t.points > 0 AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses = t.id)
       GROUP BY 1, 2;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE qualifying_points;`);
  }
}
