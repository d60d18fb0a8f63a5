import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { fromStoredRule, toStoredRule, type PointsRange, type SegmentRule, type StoredSegmentRule } from '../domain/segment.rules';

/**
 * Segments (migration 1741400000000-segments) and their evaluation in SQL over the ledger's own tables:
 * member_registrations (birthday, consents, city of the enrolling store), qualifying_points (tier),
 * transactions and earn_baskets (spend, visits, last activity), member_closings (closed members are in
 * no segment; a merged member's qualifying points count for the member it was merged into, as in
 * tier standing). It decides nothing: the segment service validates rules and decides who sees what.
 *
 * One rule compiles to one statement, for the whole membership (a count) or one member (the member's
 * id is put inside every subquery, so each reads that member's rows by index and nothing else).
 */

export interface SegmentRow {
  id: string;
  partnerId: string | null;
  name: string;
  rule: SegmentRule;
  createdBy: string;
  createdAt: Date;
}

type Row = { id: string; partner_id: string | null; name: string; rule: StoredSegmentRule; created_by: string; created_at: Date };
const toRow = (r: Row): SegmentRow => ({ id: r.id, partnerId: r.partner_id, name: r.name, rule: fromStoredRule(r.rule), createdBy: r.created_by, createdAt: r.created_at });

export async function insertSegment(manager: EntityManager, s: { partnerId: string | null; name: string; rule: SegmentRule; createdBy: string }): Promise<SegmentRow> {
  const { rows } = await sql<Row>(manager, 'INSERT INTO segments (partner_id, name, rule, created_by) VALUES ($1, $2, $3::jsonb, $4) RETURNING *', [
    s.partnerId,
    s.name,
    JSON.stringify(toStoredRule(s.rule)),
    s.createdBy,
  ]);
  return toRow(rows[0]);
}

export async function findSegment(manager: EntityManager, id: string): Promise<SegmentRow | null> {
  const { rows } = await sql<Row>(manager, 'SELECT * FROM segments WHERE id = $1', [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function segmentsByIds(manager: EntityManager, ids: readonly string[]): Promise<SegmentRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<Row>(manager, 'SELECT * FROM segments WHERE id = ANY($1::uuid[])', [[...ids]]);
  return rows.map(toRow);
}

/** Segments oldest first (at most 200): every one (`all`), or one partner's and the coalition's. */
export async function listSegments(manager: EntityManager, scope: { kind: 'all' } | { kind: 'partner'; partnerId: string }): Promise<SegmentRow[]> {
  const { rows } =
    scope.kind === 'all'
      ? await sql<Row>(manager, 'SELECT * FROM segments ORDER BY created_at, id LIMIT 200')
      : await sql<Row>(manager, 'SELECT * FROM segments WHERE partner_id = $1 OR partner_id IS NULL ORDER BY created_at, id LIMIT 200', [scope.partnerId]);
  return rows.map(toRow);
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Unreversed earns. */
const STANDING_EARN = `t.kind = 'EARN' AND NOT EXISTS (SELECT 1 FROM transactions rv WHERE rv.reverses = t.id)`;

/**
 * The statement counting the members a rule selects (with `memberId`: 0 or 1, that member). `tiers` are
 * the rule's tier names as ranges of qualifying points by the tier table now (see `tierRanges`);
 * `marketingOnly` adds the marketing consent (who may see a personal offer).
 */
export function compileSegmentCount(rule: SegmentRule, tiers: PointsRange[] | null, options: { memberId?: string; marketingOnly?: boolean } = {}): { text: string; values: unknown[] } {
  const p = new Params();
  const member = options.memberId === undefined ? null : p.add(options.memberId);
  /** Inside a subquery over rows with a member column: that member only, when counting one. */
  const only = (column: string) => (member ? ` AND ${column} = ${member}::uuid` : '');
  const where: string[] = ['NOT EXISTS (SELECT 1 FROM member_closings c WHERE c.member_id = r.member_id)'];
  let join = '';
  if (member) where.push(`r.member_id = ${member}::uuid`);
  if (options.marketingOnly || rule.marketingConsent === true) where.push('r.marketing_consent');
  if (rule.marketingConsent === false) where.push('NOT r.marketing_consent');
  if (rule.partnerDataSharing !== null) where.push(`r.partner_data_sharing = ${p.add(rule.partnerDataSharing)}`);
  if (rule.birthMonths) where.push(`r.birth_month = ANY(${p.add(rule.birthMonths)}::smallint[])`);
  if (rule.enrolledCities) where.push(`lower(btrim(r.enrolled_city)) = ANY(${p.add(rule.enrolledCities)}::text[])`);
  if (tiers !== null) {
    if (tiers.length === 0) where.push('false');
    else {
      // The member's qualifying points as tier standing counts them: the current month and the 11 before,
      // with those of members merged into this one. Two ways to the same figure, chosen by the rule:
      // - per member (LATERAL, by the primary key (member, month)) when the member's own facts narrow the
      //   candidates first (one member; a city; birth months): it reads only the candidates' rows;
      // - for everyone (one pass over the window's rows, grouped by member, joined by hash) when nothing else
      //   narrows them: at 1,000,000 members, a million index probes cost twice one pass.
      const perMember = member !== null || rule.enrolledCities !== null || rule.birthMonths !== null;
      join = perMember
        ? `CROSS JOIN LATERAL (
          SELECT coalesce(sum(qp.points), 0) AS points FROM qualifying_points qp
           WHERE qp.member_id = ANY (ARRAY(SELECT r.member_id UNION ALL SELECT mc.member_id FROM member_closings mc WHERE mc.target_member_id = r.member_id))
             AND qp.month > (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date) q`
        : `LEFT JOIN (
          SELECT coalesce(mc.target_member_id, qp.member_id) AS member_id, sum(qp.points) AS points
            FROM qualifying_points qp LEFT JOIN member_closings mc ON mc.member_id = qp.member_id AND mc.target_member_id IS NOT NULL
           WHERE qp.month > (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date
           GROUP BY 1) grouped ON grouped.member_id = r.member_id
          CROSS JOIN LATERAL (SELECT coalesce(grouped.points, 0) AS points) q`;
      // The tier the member holds, as Member.points.tier says: an admin's override in force wins; otherwise
      // the higher of the qualifying tier and the tier retention keeps (tier_status), as a threshold figure.
      join += `
          LEFT JOIN tier_status ts ON ts.member_id = r.member_id
          LEFT JOIN (SELECT DISTINCT ON (o.member_id) o.member_id, tt.threshold FROM tier_overrides o JOIN tiers tt ON lower(tt.name) = lower(o.tier_name)
                      WHERE o.ends_at > now() ORDER BY o.member_id, o.created_at DESC) ov ON ov.member_id = r.member_id
          CROSS JOIN LATERAL (SELECT coalesce(ov.threshold, greatest(q.points,
            CASE WHEN ts.member_id IS NULL THEN 0 ELSE coalesce(ledger_retained_threshold(ts.held_threshold, ts.retained_until), 0) END)) AS points) eff`;
      const ranges = tiers.map((t) => {
        const from = `eff.points >= ${p.add(t.from.toString())}::bigint`;
        return t.to === null ? `(${from})` : `(${from} AND eff.points < ${p.add(t.to.toString())}::bigint)`;
      });
      where.push(`(${ranges.join(' OR ')})`);
    }
  }
  for (const a of rule.activity) {
    const partner = a.partnerId ? ` AND t.partner_id = ${p.add(a.partnerId)}::uuid` : '';
    const period = `t.created_at > now() - make_interval(days => ${p.add(a.periodDays)})`;
    const having: string[] = [];
    if (a.category === null) {
      if (a.minVisits !== null) having.push(`count(*) >= ${p.add(a.minVisits)}`);
      if (a.minSpend) having.push(`coalesce(sum(t.purchase_minor) FILTER (WHERE t.purchase_currency = ${p.add(a.minSpend.currency)}), 0) >= ${p.add(a.minSpend.minor.toString())}::bigint`);
      where.push(`r.member_id IN (SELECT t.member_id FROM transactions t WHERE ${STANDING_EARN} AND ${period}${partner}${only('t.member_id')}
        GROUP BY t.member_id HAVING ${having.join(' AND ')})`);
    } else {
      // Earns whose basket had lines of the category, with those lines' amount.
      if (a.minVisits !== null) having.push(`count(*) >= ${p.add(a.minVisits)}`);
      if (a.minSpend) having.push(`coalesce(sum(c.minor) FILTER (WHERE t.purchase_currency = ${p.add(a.minSpend.currency)}), 0) >= ${p.add(a.minSpend.minor.toString())}::bigint`);
      where.push(`r.member_id IN (SELECT t.member_id FROM transactions t JOIN earn_baskets b ON b.transaction_id = t.id
          CROSS JOIN LATERAL (SELECT sum((l->>'amount_minor')::bigint) AS minor FROM jsonb_array_elements(b.lines) l WHERE lower(l->>'category') = ${p.add(a.category)}) c
         WHERE ${STANDING_EARN} AND ${period}${partner}${only('t.member_id')} AND b.lines IS NOT NULL AND c.minor IS NOT NULL
         GROUP BY t.member_id HAVING ${having.join(' AND ')})`);
    }
  }
  if (rule.lastActivity) {
    const l = rule.lastActivity;
    const partner = l.partnerId ? ` AND t.partner_id = ${p.add(l.partnerId)}::uuid` : '';
    const active = (days: number) => `SELECT t.member_id FROM transactions t WHERE t.kind IN ('EARN', 'REDEEM') AND t.created_at > now() - make_interval(days => ${p.add(days)})${partner}`;
    if (l.withinDays !== null) where.push(`r.member_id IN (${active(l.withinDays)}${only('t.member_id')})`);
    if (l.notWithinDays !== null) where.push(`NOT EXISTS (${active(l.notWithinDays)} AND t.member_id = r.member_id)`);
  }
  return { text: `SELECT count(*)::int AS n FROM member_registrations r ${join} WHERE ${where.join('\n AND ')}`, values: p.values };
}

/**
 * How many members the rule selects now (see compileSegmentCount). A count over the whole membership groups
 * up to a million members' qualifying points in one hash: it gets the memory for that (work_mem, for this
 * transaction only) rather than spilling it to disk in partitions.
 */
export async function countSegment(manager: EntityManager, rule: SegmentRule, tiers: PointsRange[] | null, marketingOnly = false): Promise<number> {
  const { text, values } = compileSegmentCount(rule, tiers, { marketingOnly });
  return manager.transaction(async (tx) => {
    await sql(tx, "SET LOCAL work_mem = '64MB'");
    const { rows } = await sql<{ n: number }>(tx, text, values);
    return rows[0].n;
  });
}

/** Whether the rule selects this member now (and, with `marketingOnly`, the member consents to marketing). */
export async function segmentIncludes(manager: EntityManager, rule: SegmentRule, tiers: PointsRange[] | null, memberId: string, marketingOnly = false): Promise<boolean> {
  const { text, values } = compileSegmentCount(rule, tiers, { memberId, marketingOnly });
  const { rows } = await sql<{ n: number }>(manager, text, values);
  return rows[0].n > 0;
}
