import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { callerOf, idempotent, isAppError, notFound, recordAudit, requireAdmin, validate, validateIdempotencyKey, type Logger, type Viewer } from '../../../../lib/src';
import { eraseAuditSubjects, forgetIdempotencyKeys, runErasureStatements } from '../../../../lib/src/persistence/member-data.repository';
import { type MembersErasureClient } from '../clients/erasure.client';
import { type MembersPointsClient } from '../clients/points.client';
import { generateCardNumber } from '../domain/card-number';
import {
  ERASURE_STEPS,
  erasureAttempted,
  erasureById,
  erasureOfMember,
  erasureStepDone,
  insertErasureRequest,
  MEMBER_ERASURE_STATEMENTS,
  openErasureIds,
  personSubjects,
  pseudonymizeMember,
  type ErasureRequest,
} from '../persistence/member-data.repository';
import { type MemberEntity } from '../persistence/member.entity';
import { findMember, lockMember } from '../persistence/members.repository';

/** The pseudonym that replaces an erased member's name, and the email address that is nobody's. */
export const erasedName = (erasureId: string): string => `Erased member ${erasureId.slice(0, 8)}`;
export const erasedEmail = (erasureId: string): string => `erased-${erasureId}@erased.invalid`;

/**
 * Erasing a member (GDPR art. 17, the admin acting on a verified request), exactly once across the
 * subgraphs without a distributed transaction (the closing saga's pattern):
 * 1. one members transaction records the request (one per member; the outbox entry, with the steps left)
 *    and replaces everything personal here: name and email by the pseudonym, birth date, phone and language
 *    gone, card numbers and identity links deleted, the member CLOSED; the audit log names the person
 *    `erased:<erasure id>`; their idempotency keys are forgotten;
 * 2. the ledger forfeits the remaining points to breakage through its `closeMemberAccount` (FORFEIT, the
 *    erasure id as closing id; a member already closed has nothing left), then points, donations and
 *    partners each erase their part (`<subgraph>EraseMember`, idempotent by the erasure id), each step
 *    recorded once done; the last one completes the request and forgets the person's token subjects.
 * A crash or a subgraph down leaves the request incomplete: the reconciler (jobs/erasure-reconciler.job.ts)
 * and any retry drive it through the same steps. Open holds keep the ledger step waiting until they resolve.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class ErasureService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly points: MembersPointsClient,
    private readonly subgraphs: MembersErasureClient,
    private readonly logger: Logger,
  ) {}

  async erase(viewer: Viewer, input: { memberId: string; idempotencyKey: string }, requestId: string): Promise<{ member: MemberEntity; erasure: ErasureRequest }> {
    requireAdmin(viewer);
    const memberId = validate.uuid('memberId', input.memberId);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'eraseMember', key: input.idempotencyKey, input: { memberId } };
    const { result } = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        const member = await lockMember(manager, memberId);
        if (!member) throw notFound('Member');
        const known = await erasureOfMember(manager, memberId);
        if (known) return { erasureId: known.id };
        const erasureId = randomUUID();
        const subjects = await personSubjects(manager, memberId);
        await insertErasureRequest(manager, { id: erasureId, memberId, requestedBy: viewer.subject.slice(0, 255), subjects });
        for (let attempt = 0; !(await pseudonymizeMember(manager, memberId, { displayName: erasedName(erasureId), email: erasedEmail(erasureId), cardNumber: generateCardNumber() })); attempt++) {
          if (attempt === 4) throw new Error('could not draw an unused card number');
        }
        await runErasureStatements(manager, erasureId, memberId, MEMBER_ERASURE_STATEMENTS);
        await eraseAuditSubjects(manager, erasureId, memberId, subjects);
        await forgetIdempotencyKeys(manager, memberId, subjects);
        await recordAudit(manager, viewer, memberId);
        return { erasureId };
      }),
    );
    const erasure = await this.drive(result.erasureId, requestId).catch(async (error: unknown) => {
      this.logger.warn('erasure left for the reconciler', { erasureId: result.erasureId, error });
      return (await erasureById(this.dataSource.manager, result.erasureId))!;
    });
    const member = await findMember(this.dataSource.manager, memberId);
    if (!member) throw new Error('erased member vanished');
    return { member, erasure };
  }

  /** Drives the request's remaining steps, in order; each is idempotent by the erasure id. */
  async drive(erasureId: string, requestId: string): Promise<ErasureRequest> {
    let erasure = await erasureById(this.dataSource.manager, erasureId);
    if (!erasure) throw new Error(`erasure ${erasureId} vanished`);
    if (erasure.completedAt) return erasure;
    await erasureAttempted(this.dataSource.manager, erasureId);
    for (const step of ERASURE_STEPS) {
      if (!erasure.remaining.includes(step)) continue;
      if (step === 'points') await this.forfeit(erasure, requestId);
      await this.subgraphs.erase(step, { erasureId, memberId: erasure.memberId, subjects: erasure.subjects }, requestId);
      await erasureStepDone(this.dataSource.manager, erasureId, step);
    }
    erasure = await erasureById(this.dataSource.manager, erasureId);
    return erasure!;
  }

  /** The remaining points go to breakage, as a closing's FORFEIT; a member closed before has none left. */
  private async forfeit(erasure: ErasureRequest, requestId: string): Promise<void> {
    try {
      const answer = await this.points.closeMemberAccount({ closingId: erasure.id, memberId: erasure.memberId, disposition: 'FORFEIT' }, requestId);
      if (answer.outcome === 'OPEN_HOLDS') throw new Error(`erasure ${erasure.id}: the member has open holds; waiting for them to resolve`);
    } catch (error) {
      if (isAppError(error) && error.code === 'MEMBER_CLOSED') return;
      throw error;
    }
  }

  /** Drives every request incomplete for longer than `olderThanMs`. Safe anywhere, any time: every step is idempotent. */
  async reconcile(olderThanMs: number, limit = 100): Promise<{ completed: number; open: number }> {
    const counts = { completed: 0, open: 0 };
    for (const id of await openErasureIds(this.dataSource.manager, olderThanMs, limit)) {
      try {
        counts[(await this.drive(id, `reconcile-erasure-${id}`)).completedAt ? 'completed' : 'open']++;
      } catch (error) {
        counts.open++;
        this.logger.warn('erasure step failed; retried later', { erasureId: id, error });
      }
    }
    return counts;
  }
}
