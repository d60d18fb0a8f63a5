import { type DataSource } from 'typeorm';
import { AppError, PgCodes, pgCode, recordAudit, requireService, validate, type Viewer } from '../../../../lib/src';
import { findDonationPosting, insertDonationPosting, type StoredDonationPosting } from '../persistence/donation-postings.repository';
import { ensureAccount, insertTransaction, lockMemberAccount, post } from '../persistence/ledger.repository';
import { consumeLots } from '../persistence/lots.repository';
import { availablePoints, expireDueLots } from './member-ledger';

/** REFUSED: not enough points; MEMBER_CLOSED: the membership is closed (only its closing's own donation passes). */
export type DonationOutcome = 'POSTED' | 'REFUSED' | 'MEMBER_CLOSED';

export interface DonationPosting {
  donationId: string;
  outcome: DonationOutcome;
  transactionId: string | null;
  points: bigint;
}

/**
 * Posts point donations to the ledger for the donations subgraph: member → charity account, consuming
 * the member's lots oldest first, in one transaction. Idempotent by donation id: the first decision
 * (POSTED with its transaction, or REFUSED for want of points) is stored under the donation id's primary
 * key and every later call answers it, so a reconciler may call as often as it likes.
 * Raises: FORBIDDEN (anyone but the donations service), BAD_USER_INPUT (a donation id reused with other facts).
 */
export class DonationPostingService {
  constructor(private readonly dataSource: DataSource) {}

  async post(viewer: Viewer, input: { donationId: string; memberId: string; charityId: string; points: number }): Promise<DonationPosting> {
    requireService(viewer, 'donations', 'ledger:donate');
    const donationId = validate.uuid('donationId', input.donationId);
    const memberId = validate.uuid('memberId', input.memberId);
    const charityId = validate.uuid('charityId', input.charityId);
    const points = BigInt(validate.points('points', input.points, 1));
    const facts = { donationId, memberId, charityId, points };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.dataSource.transaction(async (manager) => {
          // Calls for one member serialise on the member's account; with no account there is nothing to post.
          const account = await lockMemberAccount(manager, memberId, { allowClosed: true });
          const known = await findDonationPosting(manager, donationId);
          if (known) return checkSame(known, facts);
          let outcome: DonationOutcome = 'REFUSED';
          let transactionId: string | null = null;
          // A closed account gives only the donation of its own closing (its donation id is the closing id),
          // and its points no longer expire: the closing kept exactly them for this donation.
          if (account?.closedBy && account.closedBy !== donationId) outcome = 'MEMBER_CLOSED';
          else if (account) {
            if (!account.closedBy) await expireDueLots(manager, account.id, memberId);
            if ((await availablePoints(manager, account.id)) >= points) {
              const charityAccount = await ensureAccount(manager, 'CHARITY', charityId);
              transactionId = (await insertTransaction(manager, { kind: 'DONATION', memberId, reference: `donation ${donationId}`, points: -points })).id;
              await post(manager, transactionId, [
                { accountId: account.id, amount: -points },
                { accountId: charityAccount, amount: points },
              ]);
              await consumeLots(manager, transactionId, account.id, points);
              outcome = 'POSTED';
            }
          }
          await insertDonationPosting(manager, { donationId, memberId, charityId, points, outcome, transactionId });
          await recordAudit(manager, viewer, transactionId ?? donationId);
          return { donationId, outcome, transactionId, points };
        });
      } catch (error) {
        // Two first calls for a member without an account both decided REFUSED; the loser reads the winner's row.
        if (pgCode(error) === PgCodes.uniqueViolation && attempt < 2) continue;
        throw error;
      }
    }
  }
}

function checkSame(known: StoredDonationPosting, facts: { memberId: string; charityId: string; points: bigint }): DonationPosting {
  if (known.memberId !== facts.memberId || known.charityId !== facts.charityId || known.points !== facts.points) {
    throw new AppError('BAD_USER_INPUT', 'donationId: already posted with other facts', { field: 'donationId' });
  }
  return { donationId: known.donationId, outcome: known.outcome, transactionId: known.transactionId, points: known.points };
}
