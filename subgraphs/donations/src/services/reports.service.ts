import { type DataSource } from 'typeorm';
import { badInput, forbidden, isAdmin, isSelf, notFound, validate, type Viewer } from '../../../../lib/src';
import { charityExists } from '../persistence/charities.repository';
import { donationTotalsByCharity, givingTotals, memberGivingTotals, type GivingKind, type GivingRow, type MemberGivingTotals } from '../persistence/reports.repository';

export type { GivingKind, GivingRow };

/**
 * Giving reports, from the donations subgraph's own records: CONFIRMED donations (never PENDING or
 * FAILED), pledge accruals net of their reversals, and matches. Who reads what: the admin everything; a
 * charity token (reports:read, charity_id) its own charity only (another charity answers NOT_FOUND, as
 * a missing one does); a partner token (reports:read) only its own pledges and matches. Periods are UTC,
 * `from` inclusive, `to` exclusive; a donation counts at the time it was made.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND.
 */
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    /**
     * The donation and giving reports read here: the replica when DATABASE_REPLICA_URL is set. A member's
     * own giving stays on the primary (a member who just gave sees it), as do existence checks.
     */
    private readonly reportSource: DataSource = dataSource,
  ) {}

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
      if (!(await charityExists(this.dataSource.manager, requested))) throw notFound('Charity');
    }
    return requested;
  }

  /** The contract's donationReport: confirmed point donations per charity in [from, to). */
  async donationReport(viewer: Viewer, from: string, to: string, charityId?: string | null): Promise<{ totalPoints: bigint; byCharity: { charityId: string; points: bigint; donations: number }[] }> {
    const window = this.window(from, to);
    const scope = await this.charityScope(viewer, charityId);
    const byCharity = await donationTotalsByCharity(this.reportSource.manager, window, scope);
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
    return givingTotals(this.reportSource.manager, { ...window, period: input.period, kinds, charityId: charityScope, partnerId: partnerScope });
  }

  requireMemberView(viewer: Viewer, memberId: string): void {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden('Only the member and the admin see this');
  }

  /** A member's own giving and its impact: the member and the admin only. */
  async memberGiving(viewer: Viewer, memberId: string): Promise<MemberGivingTotals> {
    this.requireMemberView(viewer, memberId);
    return memberGivingTotals(this.dataSource.manager, memberId);
  }
}
