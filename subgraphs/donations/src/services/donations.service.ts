import { type DataSource, type EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  currencyExponent,
  idempotent,
  notFound,
  requireAdmin,
  requireMember,
  requireService,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Logger,
  type Viewer,
} from '../../../../lib/src';
import { type PointsClient, type PostDonationAnswer } from '../clients/points.client';
import { type DonationEntity } from '../persistence/charity.entity';
import { charityStanding } from '../persistence/charities.repository';
import { confirmDonation, failDonation, findDonation, forgetDonationKey, insertClosingDonation, insertPendingDonation, pendingDonationIds } from '../persistence/donations.repository';
import { crashPoint, type GivingConfig } from './giving.config';
import { type MatchingService } from './matching.service';
import { newReceiptId, type ReceiptsService } from './receipts.service';

/** Points × value per point (scaled by 10^6) in minor units, rounded down: the coalition never overstates a gift. */
export function pointsValueMinor(points: bigint, pointValueScaled: bigint, currency: string): bigint {
  return (points * pointValueScaled * 10n ** BigInt(currencyExponent(currency))) / 1_000_000n;
}

/**
 * Point donations, exactly once across two subgraphs without a distributed transaction:
 * 1. one donations transaction writes the donation as PENDING with the idempotency key (the PENDING
 *    row is the outbox entry);
 * 2. after commit, the ledger's internal `postDonation` is called with the donation id, which it posts
 *    or refuses once and for all (idempotent on that id);
 * 3. the answer moves the donation out of PENDING exactly once (CONFIRMED with its receipt and any
 *    match, or FAILED), guarded by `WHERE status = 'PENDING'`.
 * A crash anywhere leaves a PENDING row that the reconciler (and any retry with the same key) drives
 * through the same steps, so donations and postings converge one to one.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, CHARITY_INACTIVE, INSUFFICIENT_POINTS,
 * IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class DonationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly points: PointsClient,
    private readonly receipts: ReceiptsService,
    private readonly matching: MatchingService,
    private readonly config: GivingConfig,
    private readonly logger: Logger,
  ) {}

  async donate(viewer: Viewer, input: { charityId: string; points: number; idempotencyKey: string }, requestId: string): Promise<DonationEntity> {
    // The donor is the token's member, never an input.
    const memberId = requireMember(viewer);
    const charityId = validate.uuid('charityId', input.charityId);
    const points = validate.points('points', input.points, 1);
    if (points < this.config.minPoints) throw badInput('points', `must be at least ${this.config.minPoints}`);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'donatePoints', key: input.idempotencyKey, input };

    const replay = await storedResult<{ donationId: string }>(this.dataSource.manager, request);
    if (replay) return this.settle(replay.donationId, requestId);

    const { result } = await this.dataSource.transaction(async (manager) =>
      idempotent(manager, request, async () => {
        const charity = await charityStanding(manager, charityId, true);
        if (!charity) throw notFound('Charity');
        if (charity.status !== 'ACTIVE' || charity.verification !== 'VERIFIED') throw new AppError('CHARITY_INACTIVE');
        const value = pointsValueMinor(BigInt(points), this.config.pointValueScaled, this.config.currency);
        const donationId = await insertPendingDonation(manager, {
          memberId,
          charityId,
          points,
          receiptId: newReceiptId(),
          valueMinor: value,
          currency: this.config.currency,
          idempotencyCaller: request.caller,
          idempotencyKey: request.key,
        });
        return { donationId };
      }),
    );
    crashPoint(this.config, 'donation-write');
    return this.settle(result.donationId, requestId);
  }

  /**
   * The donation, driven out of PENDING if it still is; a refused one answers INSUFFICIENT_POINTS, or
   * MEMBER_CLOSED when the ledger refused it because the membership is closed.
   */
  private async settle(donationId: string, requestId: string): Promise<DonationEntity> {
    let donation = await this.load(donationId);
    let outcome: PostDonationAnswer['outcome'] | undefined;
    if (donation.status === 'PENDING') ({ donation, outcome } = await this.driveOnce(donation, requestId));
    if (donation.status === 'FAILED') throw new AppError(outcome === 'MEMBER_CLOSED' ? 'MEMBER_CLOSED' : 'INSUFFICIENT_POINTS');
    if (donation.status === 'PENDING') throw new Error(`donation ${donationId} is still pending`);
    return donation;
  }

  /** Asks the ledger for its (idempotent) decision on a PENDING donation and records it once. */
  async drive(donation: DonationEntity, requestId: string): Promise<DonationEntity> {
    return (await this.driveOnce(donation, requestId)).donation;
  }

  private async driveOnce(donation: DonationEntity, requestId: string): Promise<{ donation: DonationEntity; outcome: PostDonationAnswer['outcome'] }> {
    const { outcome, transactionId } = await this.points.postDonation(donation, requestId);
    crashPoint(this.config, 'ledger-call');
    await this.dataSource.transaction(async (manager) => {
      if (outcome === 'POSTED') {
        if (!(await confirmDonation(manager, donation.id, transactionId))) return; // another driver recorded it first
        await this.receipts.append(manager, {
          charityId: donation.charityId,
          receiptId: donation.receiptId,
          kind: 'DONATION',
          subjectId: donation.id,
          points: BigInt(donation.points),
          amountMinor: BigInt(donation.valueMinor),
          currency: donation.currency,
        });
        await this.matching.matchDonation(manager, donation);
      } else {
        const failed = await failDonation(manager, donation.id);
        // A refused request stores no key: the member may retry the same key once they have the points.
        if (failed?.key) await forgetDonationKey(manager, failed.caller, failed.key);
      }
    });
    return { donation: await this.load(donation.id), outcome };
  }

  /**
   * The donation step of a membership's closing (members' saga, its service credential): gives the points
   * the ledger kept at closing to the chosen charity, through this same flow (PENDING row, ledger posting,
   * receipt, matching), exactly once per closing id, which is also the donation's id.
   */
  async donateClosingBalance(viewer: Viewer, input: { closingId: string; memberId: string; charityId: string; points: number }, requestId: string): Promise<DonationEntity> {
    requireService(viewer, 'members', 'donations:closing');
    const closingId = validate.uuid('closingId', input.closingId);
    const memberId = validate.uuid('memberId', input.memberId);
    const charityId = validate.uuid('charityId', input.charityId);
    const points = validate.points('points', input.points, 1);
    await this.dataSource.transaction(async (manager) => {
      if (await findDonation(manager, closingId)) return;
      const charity = await charityStanding(manager, charityId, true);
      if (!charity) throw notFound('Charity');
      if (charity.status !== 'ACTIVE' || charity.verification !== 'VERIFIED') throw new AppError('CHARITY_INACTIVE');
      const value = pointsValueMinor(BigInt(points), this.config.pointValueScaled, this.config.currency);
      await insertClosingDonation(manager, { closingId, memberId, charityId, points, receiptId: newReceiptId(), valueMinor: value, currency: this.config.currency });
    });
    const donation = await this.load(closingId);
    if (donation.memberId !== memberId || donation.charityId !== charityId || Number(donation.points) !== points) {
      throw new AppError('BAD_USER_INPUT', 'closingId: already donated with other facts', { field: 'closingId' });
    }
    return donation.status === 'PENDING' ? this.drive(donation, requestId) : donation;
  }

  /**
   * Drives every donation PENDING for longer than `olderThanMs` (default: the configured delay) to its
   * final state. Safe to run anywhere, any time, concurrently with requests.
   */
  async reconcile(olderThanMs = this.config.reconcileAfterMs, limit = 500): Promise<{ confirmed: number; failed: number; pending: number }> {
    const ids = await pendingDonationIds(this.dataSource.manager, olderThanMs, limit);
    const counts = { confirmed: 0, failed: 0, pending: 0 };
    for (const id of ids) {
      try {
        const donation = await this.load(id);
        const after = donation.status === 'PENDING' ? await this.drive(donation, `reconcile-${id}`) : donation;
        if (after.status === 'CONFIRMED') counts.confirmed++;
        else if (after.status === 'FAILED') counts.failed++;
        else counts.pending++;
      } catch (error) {
        counts.pending++;
        this.logger.warn('donation reconciliation failed; will retry', { donationId: id, error });
      }
    }
    return counts;
  }

  async reconcileNow(viewer: Viewer, olderThanMs: number): Promise<{ confirmed: number; failed: number; pending: number }> {
    requireAdmin(viewer);
    return this.reconcile(Math.max(0, olderThanMs));
  }

  async load(id: string, manager: EntityManager = this.dataSource.manager): Promise<DonationEntity> {
    const donation = await findDonation(manager, id);
    if (!donation) throw notFound('Donation');
    return donation;
  }
}
