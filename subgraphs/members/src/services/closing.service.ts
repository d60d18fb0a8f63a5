import { type DataSource } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  forbidden,
  idempotent,
  isAdmin,
  notFound,
  recordAudit,
  requireAdmin,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Logger,
  type Viewer,
} from '../../../../lib/src';
import { type MembersDonationsClient } from '../clients/donations.client';
import { type MembersPointsClient } from '../clients/points.client';
import { requireOpenMembership } from '../domain/membership.rules';
import { closingUnderWay, failClosing, findClosing, finishClosing, insertClosing, markMemberClosed, pendingClosingIds, recordClosingError, type ClosingRow } from '../persistence/closings.repository';
import { type MemberEntity } from '../persistence/member.entity';
import { findMember, lockMember } from '../persistence/members.repository';
import { crashPoint, type ClosingConfig } from './closing.config';

/**
 * Closing memberships, exactly once across the members, points and donations subgraphs without a
 * distributed transaction (the donation saga's pattern):
 * 1. one members transaction locks the member, checks it is open, and records the closing as PENDING
 *    with the request's idempotency key (the PENDING row is the outbox entry);
 * 2. the ledger's internal `closeMemberAccount` is called with the closing id: it refuses while holds are
 *    open (nothing kept), or closes the account for good, forfeiting the points to breakage (FORFEIT) or
 *    keeping them for the donation (DONATE); it answers the same decision to every retry;
 * 3. for DONATE, the donations subgraph's internal `donateClosingBalance` gives them to the charity through
 *    the donation flow (its donation id is the closing id, so it happens once);
 * 4. one members transaction moves the closing out of PENDING (DONE, the member CLOSED; or FAILED for open
 *    holds), guarded by `status = 'PENDING'`.
 * Merging a duplicate member (kind MERGE) runs the same saga, its ledger step `mergeMemberAccounts`.
 * A crash anywhere leaves a PENDING closing that the reconciler (jobs/closing-reconciler.job.ts) and any
 * retry with the same key drive through the same steps. While a closing is PENDING, writes for the member
 * already answer MEMBER_CLOSED.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, MEMBER_CLOSED, OPEN_HOLDS, CHARITY_INACTIVE,
 * IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class ClosingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly points: MembersPointsClient,
    private readonly donations: MembersDonationsClient,
    private readonly config: ClosingConfig,
    private readonly logger: Logger,
  ) {}

  /** The member (self) or the admin closes a membership, forfeiting or donating the remaining points. */
  async close(
    viewer: Viewer,
    input: { memberId?: string | null; remainingPoints: string; charityId?: string | null; idempotencyKey: string },
    requestId: string,
  ): Promise<MemberEntity> {
    const memberId = subjectOf(viewer, input.memberId);
    const disposition = input.remainingPoints;
    if (disposition !== 'FORFEIT' && disposition !== 'DONATE') throw badInput('remainingPoints', 'must be FORFEIT or DONATE');
    let charityId: string | null = null;
    if (disposition === 'DONATE') {
      if (input.charityId == null) throw badInput('charityId', 'is required to donate the remaining points');
      charityId = validate.uuid('charityId', input.charityId);
    } else if (input.charityId != null) {
      throw badInput('charityId', 'is only for DONATE');
    }
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'closeMembership', key: input.idempotencyKey, input: { ...input, memberId } };
    let closingId = (await storedResult<{ closingId: string }>(this.dataSource.manager, request))?.closingId;
    if (!closingId) {
      if (charityId) await this.donations.requireCharityTakesGifts(viewer, charityId, requestId);
      const { result } = await this.dataSource.transaction((manager) =>
        idempotent(manager, request, async () => {
          const member = await lockMember(manager, memberId);
          if (!member) throw notFound('Member');
          requireOpenMembership(member, await closingUnderWay(manager, memberId));
          const id = await insertClosing(manager, { memberId, kind: 'CLOSE', disposition, charityId, targetMemberId: null, requestedBy: request.caller });
          await recordAudit(manager, viewer, memberId);
          return { closingId: id };
        }),
      );
      closingId = result.closingId;
      crashPoint(this.config, 'closing-write');
    }
    await this.settle(closingId, requestId);
    const member = await findMember(this.dataSource.manager, memberId);
    if (!member) throw new Error('closed member vanished');
    return member;
  }

  /**
   * The admin merges a duplicate member (source) into another (target): the source's points move to the
   * target with their lots and issuers, the target's tier counts the source's earns, the source is CLOSED
   * with `mergedInto`, and its cards find the target. Open holds on the source refuse it (OPEN_HOLDS).
   * The same saga as a closing (kind MERGE), driven through the ledger's `mergeMemberAccounts`.
   */
  async merge(viewer: Viewer, input: { sourceMemberId: string; targetMemberId: string; idempotencyKey: string }, requestId: string): Promise<{ source: MemberEntity; target: MemberEntity }> {
    requireAdmin(viewer);
    const sourceId = validate.uuid('sourceMemberId', input.sourceMemberId);
    const targetId = validate.uuid('targetMemberId', input.targetMemberId);
    if (sourceId === targetId) throw badInput('targetMemberId', 'must be another member than the source');
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'mergeMembers', key: input.idempotencyKey, input };
    let closingId = (await storedResult<{ closingId: string }>(this.dataSource.manager, request))?.closingId;
    if (!closingId) {
      const { result } = await this.dataSource.transaction((manager) =>
        idempotent(manager, request, async () => {
          // Both members locked in id order: two merges of one pair never wait on each other in a cycle.
          const locked = new Map<string, MemberEntity | null>();
          for (const id of [sourceId, targetId].sort()) locked.set(id, await lockMember(manager, id));
          const source = locked.get(sourceId);
          const target = locked.get(targetId);
          if (!source || !target) throw notFound('Member');
          requireOpenMembership(source, await closingUnderWay(manager, sourceId));
          requireOpenMembership(target, await closingUnderWay(manager, targetId));
          const id = await insertClosing(manager, { memberId: sourceId, kind: 'MERGE', disposition: null, charityId: null, targetMemberId: targetId, requestedBy: request.caller });
          await recordAudit(manager, viewer, sourceId);
          return { closingId: id };
        }),
      );
      closingId = result.closingId;
      crashPoint(this.config, 'closing-write');
    }
    await this.settle(closingId, requestId);
    const [source, target] = await Promise.all([findMember(this.dataSource.manager, sourceId), findMember(this.dataSource.manager, targetId)]);
    if (!source || !target) throw new Error('merged member vanished');
    return { source, target };
  }

  /** The closing, driven out of PENDING if it still is; a refused one answers OPEN_HOLDS. */
  async settle(closingId: string, requestId: string): Promise<ClosingRow> {
    let closing = await this.load(closingId);
    if (closing.status === 'PENDING') closing = await this.drive(closing, requestId);
    if (closing.status === 'FAILED') throw new AppError('OPEN_HOLDS');
    if (closing.status === 'PENDING') throw new Error(`closing ${closingId} is still pending`);
    return closing;
  }

  /** Asks the ledger (and donations) for their idempotent steps on a PENDING closing and records the outcome once. */
  async drive(closing: ClosingRow, requestId: string): Promise<ClosingRow> {
    if (closing.kind === 'MERGE') return this.driveMerge(closing, requestId);
    if (!closing.disposition) throw new Error(`closing ${closing.id}: no disposition`);
    const ledger = await this.points.closeMemberAccount({ closingId: closing.id, memberId: closing.memberId, disposition: closing.disposition }, requestId);
    crashPoint(this.config, 'ledger-call');
    if (ledger.outcome === 'OPEN_HOLDS') {
      await failClosing(this.dataSource.manager, closing.id, 'OPEN_HOLDS');
      return this.load(closing.id);
    }
    const remaining = BigInt(ledger.remainingPoints);
    let donated = 0n;
    if (closing.disposition === 'DONATE' && remaining > 0n) {
      const donation = await this.donations.donateClosingBalance(
        { closingId: closing.id, memberId: closing.memberId, charityId: closing.charityId!, points: Number(remaining) },
        requestId,
      );
      if (donation.status !== 'CONFIRMED') throw new Error(`closing ${closing.id}: its donation is ${donation.status}`);
      donated = remaining;
    }
    await this.dataSource.transaction(async (manager) => {
      if (await finishClosing(manager, closing.id, { remaining, forfeited: BigInt(ledger.forfeitedPoints), donated })) {
        await markMemberClosed(manager, closing.memberId, null);
      }
    });
    return this.load(closing.id);
  }

  private async driveMerge(closing: ClosingRow, requestId: string): Promise<ClosingRow> {
    const ledger = await this.points.mergeMemberAccounts({ mergeId: closing.id, sourceMemberId: closing.memberId, targetMemberId: closing.targetMemberId! }, requestId);
    crashPoint(this.config, 'ledger-call');
    await this.dataSource.transaction(async (manager) => {
      if (ledger.outcome === 'OPEN_HOLDS') {
        await failClosing(manager, closing.id, 'OPEN_HOLDS');
      } else if (await finishClosing(manager, closing.id, { remaining: BigInt(ledger.movedPoints), forfeited: 0n, donated: 0n })) {
        await markMemberClosed(manager, closing.memberId, closing.targetMemberId);
      }
    });
    return this.load(closing.id);
  }

  /**
   * Drives every closing PENDING for longer than `olderThanMs` (default: the configured delay) to its final
   * state. Safe to run anywhere, any time, concurrently with requests: every step is idempotent by id.
   */
  async reconcile(olderThanMs = this.config.reconcileAfterMs, limit = 100): Promise<{ done: number; failed: number; pending: number }> {
    const ids = await pendingClosingIds(this.dataSource.manager, olderThanMs, limit);
    const counts = { done: 0, failed: 0, pending: 0 };
    for (const id of ids) {
      try {
        const closing = await this.load(id);
        const after = closing.status === 'PENDING' ? await this.drive(closing, `reconcile-${id}`) : closing;
        counts[after.status === 'DONE' ? 'done' : after.status === 'FAILED' ? 'failed' : 'pending']++;
      } catch (error) {
        counts.pending++;
        await recordClosingError(this.dataSource.manager, id, error instanceof Error ? error.message : String(error)).catch(() => undefined);
        this.logger.warn('closing reconciliation failed; will retry', { closingId: id, error });
      }
    }
    return counts;
  }

  async reconcileNow(viewer: Viewer, olderThanMs: number): Promise<{ done: number; failed: number; pending: number }> {
    requireAdmin(viewer);
    return this.reconcile(Math.max(0, olderThanMs));
  }

  async load(id: string): Promise<ClosingRow> {
    const closing = await findClosing(this.dataSource.manager, id);
    if (!closing) throw notFound('Closing');
    return closing;
  }
}

/** The member closes their own membership (memberId omitted or their own); the admin names the member. */
function subjectOf(viewer: Viewer, memberId: string | null | undefined): string {
  if (viewer.memberId && viewer.scopes.has('member')) {
    if (memberId != null && memberId !== viewer.memberId) throw forbidden('A member closes only their own membership');
    return viewer.memberId;
  }
  if (!isAdmin(viewer)) throw forbidden('Closing a membership needs the member or the admin');
  if (memberId == null) throw badInput('memberId', 'is required unless the member calls');
  return validate.uuid('memberId', memberId);
}
