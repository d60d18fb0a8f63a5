import { type DataSource } from 'typeorm';
import { badInput, forbidden, isAdmin, isSelf, notFound, sql, validate, type Viewer } from '../../../shared/src';

export type GivingKind = 'DONATION' | 'PLEDGE' | 'MATCH';

export interface GivingRow {
  period: string;
  kind: GivingKind;
  charityId: string;
  partnerId: string | null;
  currency: string;
  count: bigint;
  points: bigint;
  valueMinor: bigint;
}

/**
 * Giving reports, from the donations subgraph's own records: CONFIRMED donations (never PENDING or
 * FAILED), pledge accruals net of their reversals, and matches. Who reads what: the admin everything; a
 * charity token (reports:read, charity_id) its own charity only (another charity answers NOT_FOUND, as
 * a missing one does); a partner token (reports:read) only its own pledges and matches. Periods are UTC,
 * `from` inclusive, `to` exclusive; a donation counts at the time it was made.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND.
 */
export class ReportsService {
  constructor(private readonly dataSource: DataSource) {}

  private window(from: string, to: string): { from: Date; to: Date } {
    const f = validate.instant('from', from);
    const t = validate.instant('to', to);
    if (t <= f) throw badInput('to', 'must be after from');
    return { from: f, to: t };
  }

  /** Which charity a charity-scoped read may see; null: any (the admin). */
  private async charityScope(viewer: Viewer, charityId?: string | null): Promise<string | null> {
    const requested = charityId == null ? null : validate.uuid('charityId', charityId);
    if (!isAdmin(viewer)) {
      if (!viewer.charityId || !viewer.scopes.has('reports:read')) throw forbidden('Requires admin, or a charity token with reports:read');
      if (requested && requested !== viewer.charityId) throw notFound('Charity');
      return viewer.charityId;
    }
    if (requested) {
      const { rowCount } = await sql(this.dataSource.manager, 'SELECT 1 FROM charities WHERE id = $1', [requested]);
      if (rowCount === 0) throw notFound('Charity');
    }
    return requested;
  }

  /** The contract's donationReport: confirmed point donations per charity in [from, to). */
  async donationReport(viewer: Viewer, from: string, to: string, charityId?: string | null): Promise<{ totalPoints: bigint; byCharity: { charityId: string; points: bigint; donations: number }[] }> {
    const window = this.window(from, to);
    const scope = await this.charityScope(viewer, charityId);
    const { rows } = await sql<{ charity_id: string; points: string; donations: string }>(
      this.dataSource.manager,
      `SELECT charity_id, sum(points)::text AS points, count(*)::text AS donations FROM donations
        WHERE status = 'CONFIRMED' AND created_at >= $1 AND created_at < $2 AND ($3::uuid IS NULL OR charity_id = $3)
        GROUP BY charity_id ORDER BY sum(points) DESC, charity_id`,
      [window.from, window.to, scope],
    );
    const byCharity = rows.map((r) => ({ charityId: r.charity_id, points: BigInt(r.points), donations: Number(r.donations) }));
    return { totalPoints: byCharity.reduce((sum, r) => sum + r.points, 0n), byCharity };
  }

  /** Totals by period (DAY or MONTH), kind, charity, partner and currency, with counts and money values. */
  async givingReport(
    viewer: Viewer,
    input: { from: string; to: string; period: 'DAY' | 'MONTH'; charityId?: string | null; partnerId?: string | null; kinds?: GivingKind[] | null },
  ): Promise<GivingRow[]> {
    const window = this.window(input.from, input.to);
    let charityScope: string | null;
    let partnerScope: string | null = input.partnerId == null ? null : validate.uuid('partnerId', input.partnerId);
    let kinds: GivingKind[] = input.kinds?.length ? input.kinds : ['DONATION', 'PLEDGE', 'MATCH'];
    if (!isAdmin(viewer) && viewer.partnerId) {
      if (!viewer.scopes.has('reports:read')) throw forbidden('Requires a partner token with reports:read');
      if (partnerScope && partnerScope !== viewer.partnerId) return [];
      partnerScope = viewer.partnerId;
      kinds = kinds.filter((k) => k !== 'DONATION');
      charityScope = input.charityId == null ? null : validate.uuid('charityId', input.charityId);
    } else {
      charityScope = await this.charityScope(viewer, input.charityId);
    }
    if (kinds.length === 0) return [];
    const unit = input.period === 'DAY' ? 'day' : 'month';
    const format = input.period === 'DAY' ? 'YYYY-MM-DD' : 'YYYY-MM';
    const { rows } = await sql<{ period: string; kind: GivingKind; charity_id: string; partner_id: string | null; currency: string; n: string; points: string; value: string }>(
      this.dataSource.manager,
      `WITH facts AS (
         SELECT 'DONATION'::text AS kind, charity_id, NULL::uuid AS partner_id, created_at AS at, 1 AS n, points, value_minor AS value, currency
           FROM donations WHERE status = 'CONFIRMED'
         UNION ALL
         SELECT 'PLEDGE', charity_id, partner_id, occurred_at, CASE WHEN kind = 'REVERSAL' THEN -1 ELSE 1 END, 0, amount_minor, currency
           FROM pledge_accruals WHERE kind IN ('ACCRUAL', 'REVERSAL')
         UNION ALL
         SELECT 'MATCH', charity_id, partner_id, created_at, 1, points, value_minor, currency FROM matches
       )
       SELECT to_char(date_trunc('${unit}', at AT TIME ZONE 'UTC'), '${format}') AS period, kind, charity_id, partner_id, currency,
              sum(n)::text AS n, sum(points)::text AS points, sum(value)::text AS value
         FROM facts
        WHERE at >= $1 AND at < $2 AND kind = ANY($3) AND ($4::uuid IS NULL OR charity_id = $4) AND ($5::uuid IS NULL OR partner_id = $5)
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
      [window.from, window.to, kinds, charityScope, partnerScope],
    );
    return rows.map((r) => ({
      period: r.period,
      kind: r.kind,
      charityId: r.charity_id,
      partnerId: r.partner_id,
      currency: r.currency,
      count: BigInt(r.n),
      points: BigInt(r.points),
      valueMinor: BigInt(r.value),
    }));
  }

  requireMemberView(viewer: Viewer, memberId: string): void {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden('Only the member and the admin see this');
  }

  /** A member's own giving and its impact: the member and the admin only. */
  async memberGiving(viewer: Viewer, memberId: string): Promise<{ donations: bigint; points: bigint; value: { currency: string; minor: bigint }[]; pledged: { currency: string; minor: bigint }[]; matched: bigint; charities: bigint }> {
    this.requireMemberView(viewer, memberId);
    const { rows } = await sql<{ donations: string; points: string; charities: string; matched: string }>(
      this.dataSource.manager,
      `SELECT count(*)::text AS donations, coalesce(sum(points), 0)::text AS points, count(DISTINCT charity_id)::text AS charities,
              (SELECT coalesce(sum(m.points), 0) FROM matches m JOIN donations d ON d.id = m.donation_id WHERE d.member_id = $1)::text AS matched
         FROM donations WHERE member_id = $1 AND status = 'CONFIRMED'`,
      [memberId],
    );
    const value = await sql<{ currency: string; minor: string }>(
      this.dataSource.manager,
      `SELECT currency, sum(value_minor)::text AS minor FROM donations WHERE member_id = $1 AND status = 'CONFIRMED' GROUP BY currency ORDER BY currency`,
      [memberId],
    );
    const pledged = await sql<{ currency: string; minor: string }>(
      this.dataSource.manager,
      `SELECT currency, sum(amount_minor)::text AS minor FROM pledge_accruals WHERE member_id = $1 AND kind IN ('ACCRUAL', 'REVERSAL') GROUP BY currency ORDER BY currency`,
      [memberId],
    );
    const r = rows[0];
    return {
      donations: BigInt(r.donations),
      points: BigInt(r.points),
      charities: BigInt(r.charities),
      matched: BigInt(r.matched),
      value: value.rows.map((v) => ({ currency: v.currency, minor: BigInt(v.minor) })),
      pledged: pledged.rows.map((v) => ({ currency: v.currency, minor: BigInt(v.minor) })),
    };
  }
}
