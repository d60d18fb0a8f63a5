import { type DataSource } from 'typeorm';
import { withdrawFromHousehold } from '../persistence/households.repository';
import { AppError, recordAudit, requireService, validate, type Viewer } from '../../../../lib/src';
import { accountFigures, ensureAccount, insertTransaction, lockMemberAccount, post } from '../persistence/ledger.repository';
import { consumeLots } from '../persistence/lots.repository';
import { closeAccount, findMemberClosing, insertMemberClosing, type StoredMemberClosing } from '../persistence/member-closings.repository';
import { expireDueLots } from './member-ledger';

export interface MemberAccountClosing {
  outcome: 'CLOSED' | 'OPEN_HOLDS';
  remainingPoints: bigint;
  forfeitedPoints: bigint;
}

/**
 * The ledger's step of closing a membership, for the members subgraph's closing saga: under the member
 * account's lock, refuses while holds are open (OPEN_HOLDS, nothing kept: the member may try again), else
 * expires what is due, forfeits the rest to breakage (FORFEIT: one EXPIRY transaction from the member's
 * lots, so settlement and liability count it as expired points) or keeps it for the closing's donation
 * (DONATE: the donations subgraph posts it with the closing id as donation id), and closes the account
 * for good. Idempotent by closing id: the decision is stored and every later call answers it.
 * Raises: FORBIDDEN (anyone but the members service), BAD_USER_INPUT (a closing id reused with other
 * facts), MEMBER_CLOSED (the account was closed by another closing).
 */
export class MemberClosingService {
  constructor(private readonly dataSource: DataSource) {}

  async close(viewer: Viewer, input: { closingId: string; memberId: string; disposition: string }): Promise<MemberAccountClosing> {
    requireService(viewer, 'members', 'ledger:members');
    const closingId = validate.uuid('closingId', input.closingId);
    const memberId = validate.uuid('memberId', input.memberId);
    if (input.disposition !== 'FORFEIT' && input.disposition !== 'DONATE') throw new AppError('BAD_USER_INPUT', 'disposition: must be FORFEIT or DONATE', { field: 'disposition' });
    const disposition = input.disposition;
    const closing = await this.dataSource.transaction(async (manager): Promise<MemberAccountClosing> => {
      // A member who never earned gets an account here: it carries the closed flag every write checks.
      await ensureAccount(manager, 'MEMBER', memberId);
      const account = (await lockMemberAccount(manager, memberId, { allowClosed: true }))!;
      const known = await findMemberClosing(manager, closingId);
      if (known) return answer(checkSame(known, memberId, disposition));
      if (account.closedBy) throw new AppError('MEMBER_CLOSED');
      if (account.pending > 0n) return { outcome: 'OPEN_HOLDS', remainingPoints: account.balance, forfeitedPoints: 0n };
      await expireDueLots(manager, account.id, memberId);
      const remaining = (await accountFigures(manager, account.id)).balance;
      let transactionId: string | null = null;
      if (disposition === 'FORFEIT' && remaining > 0n) {
        const breakage = await ensureAccount(manager, 'COALITION_BREAKAGE', null);
        transactionId = (await insertTransaction(manager, { kind: 'EXPIRY', memberId, reference: `membership closed (${closingId})`, points: -remaining })).id;
        await post(manager, transactionId, [
          { accountId: account.id, amount: -remaining },
          { accountId: breakage, amount: remaining },
        ]);
        await consumeLots(manager, transactionId, account.id, remaining);
      }
      const stored: StoredMemberClosing = {
        closingId,
        memberId,
        disposition,
        targetMemberId: null,
        remainingPoints: remaining,
        forfeitedPoints: transactionId ? remaining : 0n,
        transactionId,
      };
      await closeAccount(manager, account.id, closingId);
      await insertMemberClosing(manager, stored);
      await recordAudit(manager, viewer, transactionId ?? closingId);
      return answer(stored);
    });
    // A closed membership leaves its household (households.repository: after the closing, never under its lock).
    if (closing.outcome === 'CLOSED') await withdrawFromHousehold(this.dataSource.manager, memberId);
    return closing;
  }
}

function answer(stored: StoredMemberClosing): MemberAccountClosing {
  return { outcome: 'CLOSED', remainingPoints: stored.remainingPoints, forfeitedPoints: stored.forfeitedPoints };
}

function checkSame(known: StoredMemberClosing, memberId: string, disposition: string): StoredMemberClosing {
  if (known.memberId !== memberId || known.disposition !== disposition) {
    throw new AppError('BAD_USER_INPUT', 'closingId: already settled with other facts', { field: 'closingId' });
  }
  return known;
}
