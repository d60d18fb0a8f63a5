import { type Pool } from 'pg';

/**
 * What segments read, for the bench's synthetic members (bench/seed.ts writes members, accounts and earns
 * in bulk; the registration relay and the earn's running qualifying points are not in that path): each
 * member's registration in the ledger (enrolling partner, a city among ten, a birthday, consents: 60 %
 * marketing, 30 % partner data sharing) and qualifying points in two months of the last twelve, skewed so
 * that every tier of the default table has members (the bench prints how many are Gold). Written straight into
 * the points schema, members without a registration only, in batches. Returns the members registered.
 */
export async function seedSegmentFacts(db: Pool): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `WITH batch AS MATERIALIZED (
         SELECT m.id, m.enrolled_at, m.enrolled_by_partner_id FROM members.members m
          WHERE NOT EXISTS (SELECT 1 FROM points.member_registrations r WHERE r.member_id = m.id) LIMIT 100000
       ), reg AS (
         INSERT INTO points.member_registrations (member_id, version, enrolled_at, enrolled_by_partner_id, birth_month, birth_day,
                                                  marketing_consent, partner_data_sharing, enrolled_city)
         SELECT id, 1, enrolled_at, enrolled_by_partner_id, 1 + floor(random() * 12)::int, 1 + floor(random() * 28)::int,
                random() < 0.6, random() < 0.3,
                (ARRAY['Oslo','Bergen','Trondheim','Stavanger','Stockholm','Göteborg','Malmö','København','Aarhus','Helsinki'])[1 + floor(random() * 10)::int]
           FROM batch RETURNING member_id
       )
       INSERT INTO points.qualifying_points (member_id, month, points)
       SELECT r.member_id, (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => k))::date, floor(power(random(), 4) * 20000)::bigint
         FROM reg r CROSS JOIN (VALUES (0), (3)) AS months(k)
       ON CONFLICT (member_id, month) DO UPDATE SET points = points.qualifying_points.points + EXCLUDED.points`,
    );
    const n = (rowCount ?? 0) / 2;
    total += n;
    if (n === 0) break;
  }
  await db.query('ANALYZE points.member_registrations, points.qualifying_points');
  return total;
}
