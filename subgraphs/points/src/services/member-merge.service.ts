import { type DataSource } from 'typeorm';
import { withdrawFromHousehold } from '../persistence/households.repository';
import { AppError, recordAudit, requireService, validate, type Viewer } from '../../../../lib/src';
import { accountFigures, ensureAccount, insertTransaction, lockMemberAccount, post, type LockedAccount } from '../persistence/ledger.repository';
import { closeAccount, findMemberClosing, insertMemberClosing } from '../persistence/member-closings.repository';
import { moveLots } from '../persistence/member-merge.repository';
import { expireDueLots, refuseBalanceOverflow } from './member-ledger';

export interface MemberAccountMerge {
  outcome: 'MERGED' | 'OPEN_HOLDS';
  movedPoints: bigint;
}

/**
 * The ledger's step of merging a duplicate member into another, for the members subgraph's saga: under
 * both accounts' locks, refuses while the source has open holds (OPEN_HOLDS, nothing kept), else expires
 * what is due on the source, moves its points to the target (two MERGE transactions through the merge's
 * clearing account, each member's history showing its side) with every lot moved whole (same earn, issuer,
 * price and expiry, so statements and liability do not change), and closes the source account for good.
 * The target's tier counts the source's earns from then on (tiers-campaigns.repository). Idempotent by
 * merge id. Raises: FORBIDDEN (anyone but the members service), BAD_USER_INPUT (a merge id reused with
 * other facts, or a member merged into itself), MEMBER_CLOSED (either account is closed).
 */
export class MemberMergeService {
  constructor(private readonly dataSource: DataSource) {}

  async merge(viewer: Viewer, input: { mergeId: string; sourceMemberId: string; targetMemberId: string }): Promise<MemberAccountMerge> {
    requireService(viewer, 'members', 'ledger:members');
    const mergeId = validate.uuid('mergeId', input.mergeId);
    const sourceId = validate.uuid('sourceMemberId', input.sourceMemberId);
    const targetId = validate.uuid('targetMemberId', input.targetMemberId);
    if (sourceId === targetId) throw new AppError('BAD_USER_INPUT', 'targetMemberId: must differ from the source', { field: 'targetMemberId' });
    const merged = await this.dataSource.transaction(async (manager): Promise<MemberAccountMerge> => {
      await ensureAccount(manager, 'MEMBER', sourceId);
      await ensureAccount(manager, 'MEMBER', targetId);
      // Both accounts locked in member id order: two merges of one pair never wait on each other in a cycle.
      const locked = new Map<string, LockedAccount>();
      for (const id of [sourceId, targetId].sort()) locked.set(id, (await lockMemberAccount(manager, id, { allowClosed: true }))!);
      const source = locked.get(sourceId)!;
      const target = locked.get(targetId)!;
      const known = await findMemberClosing(manager, mergeId);
      if (known) {
        if (known.memberId !== sourceId || known.disposition !== 'MERGE' || known.targetMemberId !== targetId) {
          throw new AppError('BAD_USER_INPUT', 'mergeId: already settled with other facts', { field: 'mergeId' });
        }
        return { outcome: 'MERGED', movedPoints: known.remainingPoints };
      }
      if (source.closedBy || target.closedBy) throw new AppError('MEMBER_CLOSED');
      if (source.pending > 0n) return { outcome: 'OPEN_HOLDS', movedPoints: 0n };
      await expireDueLots(manager, source.id, sourceId);
      const total = (await accountFigures(manager, source.id)).balance;
      let outId: string | null = null;
      if (total > 0n) {
        const clearing = await ensureAccount(manager, 'MERGE_CLEARING', mergeId);
        outId = (await insertTransaction(manager, { kind: 'MERGE', memberId: sourceId, reference: `merged into member ${targetId}`, points: -total })).id;
        await post(manager, outId, [
          { accountId: source.id, amount: -total },
          { accountId: clearing, amount: total },
        ]);
        const inId = (await insertTransaction(manager, { kind: 'MERGE', memberId: targetId, reference: `merged from member ${sourceId}`, points: total })).id;
        await post(manager, inId, [
          { accountId: clearing, amount: -total },
          { accountId: target.id, amount: total },
        ]).catch(refuseBalanceOverflow('targetMemberId'));
        const moved = await moveLots(manager, outId, source.id, target.id);
        if (moved !== total) throw new Error(`merge ${mergeId}: lots hold ${moved} points, the balance ${total}`);
      }
      await closeAccount(manager, source.id, mergeId);
      await insertMemberClosing(manager, {
        closingId: mergeId,
        memberId: sourceId,
        disposition: 'MERGE',
        targetMemberId: targetId,
        remainingPoints: total,
        forfeitedPoints: 0n,
        transactionId: outId,
      });
      await recordAudit(manager, viewer, outId ?? mergeId);
      return { outcome: 'MERGED', movedPoints: total };
    });
    // The merged-away member leaves their household (households.repository: after the merge, never under its locks).
    if (merged.outcome === 'MERGED') await withdrawFromHousehold(this.dataSource.manager, sourceId);
    return merged;
  }
}
