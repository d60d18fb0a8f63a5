import { type DataSource, type EntityManager } from 'typeorm';
import { callerOf, forbidden, idempotent, isAdmin, notFound, recordAudit, requireAdmin, validate, type Viewer } from '../../../../lib/src';
import { tierRanges, validateSegmentRule, type PointsRange, type SegmentRule, type SegmentRuleInput } from '../domain/segment.rules';
import { countSegment, findSegment, insertSegment, listSegments, segmentIncludes, segmentsByIds, type SegmentRow } from '../persistence/segments.repository';
import { readTiers } from '../persistence/tiers-campaigns.repository';
import { type Tier } from '../domain/tier.rules';

export interface CreateSegmentInput {
  partnerId?: string | null;
  name: string;
  rule: SegmentRuleInput;
  idempotencyKey: string;
}

/**
 * Segments: rules over what the ledger knows of members, made by the admin (the coalition's, or naming a
 * partner) or by a partner for its own offers (points:earn), each evaluated now in SQL when asked (its size,
 * whether it holds a member). A partner's rule may use only what that partner may know (its own spend,
 * visits and last activity; tier, birthday month, city of the enrolling store, consents); a partner sees
 * its own segments and the coalition's (the latter without their rule), never another partner's: that one
 * answers as missing. Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class SegmentService {
  constructor(
    private readonly dataSource: DataSource,
    /**
     * The smallest size a partner is told (SEGMENT_PARTNER_MIN_SIZE): a partner's rule may narrow down to a
     * customer it knows (its visits today) and add a birth month, a tier or a consent, and a size of 1 or 0
     * would tell it that customer's birthday. Below this, a partner reads null; the admin always the count.
     */
    private readonly partnerMinSize = 10,
  ) {}

  async create(viewer: Viewer, input: CreateSegmentInput): Promise<SegmentRow> {
    const owner = this.owner(viewer, input.partnerId);
    const name = validate.text('name', input.name, 120);
    const rule = validateSegmentRule(input.rule, owner);
    const request = { caller: callerOf(viewer), operation: 'createSegment', key: input.idempotencyKey, input };
    const { result } = await this.dataSource.transaction(async (manager) =>
      idempotent(manager, request, async () => {
        const segment = await insertSegment(manager, { partnerId: owner, name, rule, createdBy: callerOf(viewer) });
        await recordAudit(manager, viewer, segment.id);
        return { segmentId: segment.id };
      }),
    );
    const segment = await findSegment(this.dataSource.manager, result.segmentId);
    if (!segment) throw new Error('created segment vanished');
    return segment;
  }

  /** A segment the viewer may see: all for the admin; a partner's own and the coalition's; else null. */
  async byId(viewer: Viewer, id: string): Promise<SegmentRow | null> {
    const segment = await findSegment(this.dataSource.manager, validate.uuid('id', id));
    return segment && this.canSee(viewer, segment) ? segment : null;
  }

  /** The segments the viewer may see, oldest first. */
  async list(viewer: Viewer): Promise<SegmentRow[]> {
    if (isAdmin(viewer)) return listSegments(this.dataSource.manager, { kind: 'all' });
    if (viewer.partnerId && viewer.scopes.has('points:earn')) return listSegments(this.dataSource.manager, { kind: 'partner', partnerId: viewer.partnerId });
    throw forbidden('Segments are for the admin and partners (points:earn)');
  }

  /** Whether the viewer may read the segment's rule: the admin, and the partner that owns it. */
  canReadRule(viewer: Viewer, segment: SegmentRow): boolean {
    return isAdmin(viewer) || (segment.partnerId !== null && segment.partnerId === viewer.partnerId);
  }

  /**
   * How many members the segment selects now; with `marketingOnly`, those of them who consented to marketing.
   * A partner reads null for fewer than the smallest size it is told (see `partnerMinSize`).
   */
  async size(viewer: Viewer, segment: SegmentRow, marketingOnly = false): Promise<number | null> {
    const manager = this.dataSource.manager;
    const n = await countSegment(manager, segment.rule, await this.tierRangesOf(manager, segment.rule), marketingOnly);
    return isAdmin(viewer) || n >= this.partnerMinSize ? n : null;
  }

  /** The admin asks whether a member is in a segment now (support: why does this member not see an offer?). */
  async includes(viewer: Viewer, segment: SegmentRow, memberId: string): Promise<boolean> {
    requireAdmin(viewer);
    const manager = this.dataSource.manager;
    return segmentIncludes(manager, segment.rule, await this.tierRangesOf(manager, segment.rule), validate.uuid('memberId', memberId));
  }

  /**
   * Of these segments, the ones whose personal offers the member may have now: the member is in the
   * segment and consents to marketing. A segment id that does not exist holds no one.
   */
  async personalSegmentsOf(memberId: string, segmentIds: readonly string[], tierTable?: readonly Tier[]): Promise<Set<string>> {
    const manager = this.dataSource.manager;
    const segments = await segmentsByIds(manager, [...new Set(segmentIds)].filter(validate.isUuid));
    if (segments.length === 0) return new Set();
    const tiers = tierTable ?? (await readTiers(manager));
    const held = new Set<string>();
    for (const s of segments) {
      const ranges = s.rule.tiers ? tierRanges(tiers, s.rule.tiers) : null;
      if (await segmentIncludes(manager, s.rule, ranges, memberId, true)) held.add(s.id);
    }
    return held;
  }

  private canSee(viewer: Viewer, segment: SegmentRow): boolean {
    if (isAdmin(viewer)) return true;
    if (!viewer.partnerId || !viewer.scopes.has('points:earn')) return false;
    return segment.partnerId === null || segment.partnerId === viewer.partnerId;
  }

  /** Whose segment a new one is: the admin's names a partner or none (the coalition's); a partner's is its own. */
  private owner(viewer: Viewer, partnerId: string | null | undefined): string | null {
    if (isAdmin(viewer)) return partnerId == null ? null : validate.uuid('partnerId', partnerId);
    if (!viewer.partnerId || !viewer.scopes.has('points:earn')) throw forbidden('Segments are made by the admin or a partner (points:earn)');
    // Naming another partner answers as a missing partner, as the catalogue does.
    if (partnerId != null && validate.uuid('partnerId', partnerId) !== viewer.partnerId) throw notFound('Partner');
    return viewer.partnerId;
  }

  private async tierRangesOf(manager: EntityManager, rule: SegmentRule): Promise<PointsRange[] | null> {
    return rule.tiers ? tierRanges(await readTiers(manager), rule.tiers) : null;
  }
}
