import { type DataSource, type EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  idempotent,
  isAdmin,
  notFound,
  recordAudit,
  requireAdmin,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../../lib/src';
import { type DirectoryClient } from '../clients/directory.client';
import { addToBlock, configureFunding, drawFromBlock, readFunding, recordConfiguration, recordTopUp, type Funding, type FundingMode } from '../persistence/funding.repository';

/**
 * Draws `points` from a prepaid partner's block in the caller's transaction (the earn's), after
 * lockFundingForEarn: concurrent earns can never overdraw (see drawFromBlock). Returns whether the earn
 * was paid from a block (false for a post-paid partner). Raises PREPAID_BLOCK_EXHAUSTED.
 */
export async function drawPrepaidBlock(manager: EntityManager, partnerId: string, points: bigint): Promise<boolean> {
  const { mode, drawn } = await drawFromBlock(manager, partnerId, points);
  if (drawn) return true;
  if (mode === 'PREPAID') throw new AppError('PREPAID_BLOCK_EXHAUSTED');
  return false;
}

/**
 * How partners pay for the points they issue: post-paid (settled per period, the default) or from a
 * prepaid block of points the admin tops up. The admin configures and tops up; a partner reads its own.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class FundingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
  ) {}

  /** The partner's funding: the admin any partner's, a partner token its own; anyone else NOT_FOUND. */
  async funding(viewer: Viewer, partnerIdInput: string): Promise<Funding> {
    const partnerId = validate.uuid('partnerId', partnerIdInput);
    if (!isAdmin(viewer) && viewer.partnerId !== partnerId) throw notFound('Partner');
    return readFunding(this.dataSource.manager, partnerId);
  }

  async configure(
    viewer: Viewer,
    input: { partnerId: string; mode: FundingMode; lowBalanceThreshold?: number | null; idempotencyKey: string },
    requestId: string,
  ): Promise<Funding> {
    requireAdmin(viewer);
    const partnerId = validate.uuid('partnerId', input.partnerId);
    if (input.mode !== 'POSTPAID' && input.mode !== 'PREPAID') throw badInput('mode', 'must be POSTPAID or PREPAID');
    const threshold = input.lowBalanceThreshold == null ? null : BigInt(validate.points('lowBalanceThreshold', input.lowBalanceThreshold, 0));
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'configurePartnerFunding', key: input.idempotencyKey, input };
    if (!(await storedResult(this.dataSource.manager, request)) && !(await this.directory.partner(viewer, partnerId, requestId))) throw notFound('Partner');
    await this.dataSource.transaction(async (manager) =>
      idempotent(manager, request, async () => {
        const row = await configureFunding(manager, partnerId, input.mode, threshold);
        await recordConfiguration(manager, { partnerId, mode: row.mode, lowBalanceThreshold: row.low_balance_threshold, createdBy: viewer.subject });
        await recordAudit(manager, viewer, partnerId);
        return { partnerId };
      }),
    );
    return readFunding(this.dataSource.manager, partnerId);
  }

  /**
   * Adds `points` to the partner's block, recording the issue price in force (what the partner pays
   * for the block). Allowed in either mode, so a block can be bought before switching to PREPAID.
   */
  async topUp(viewer: Viewer, input: { partnerId: string; points: number; idempotencyKey: string }, requestId: string): Promise<Funding> {
    requireAdmin(viewer);
    const partnerId = validate.uuid('partnerId', input.partnerId);
    const points = BigInt(validate.points('points', input.points, 1));
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'topUpPrepaidBlock', key: input.idempotencyKey, input };
    const replay = await storedResult<{ partnerId: string }>(this.dataSource.manager, request);
    if (replay) return readFunding(this.dataSource.manager, partnerId);
    const partner = await this.directory.partner(viewer, partnerId, requestId);
    if (!partner) throw notFound('Partner');
    const issuePrice = partner.issuePrice;
    if (issuePrice === null) throw new Error('the admin must see partner terms');
    await this.dataSource.transaction(async (manager) =>
      idempotent(manager, request, async () => {
        const row = await addToBlock(manager, partnerId, points);
        await recordTopUp(manager, {
          partnerId,
          mode: row.mode,
          points,
          unitPrice: issuePrice,
          priceCurrency: partner.currency,
          lowBalanceThreshold: row.low_balance_threshold,
          createdBy: viewer.subject,
        });
        await recordAudit(manager, viewer, partnerId);
        return { partnerId };
      }),
    );
    return readFunding(this.dataSource.manager, partnerId);
  }
}
