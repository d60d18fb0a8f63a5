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
  sql,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../shared/src';
import { type DirectoryClient } from '../clients/directory.client';

export type FundingMode = 'POSTPAID' | 'PREPAID';

export interface Funding {
  partnerId: string;
  mode: FundingMode;
  blockRemaining: bigint;
  lowBalanceThreshold: bigint;
}

/**
 * Locks the funding rows of `partnerIds` (those that exist) in partner id order. A database transaction
 * that may touch several blocks (an earn draws on its partner's block and repays clawbacks into other
 * partners' blocks) takes them all here first, always in the same order, so two such transactions can
 * never wait on each other in a cycle.
 */
export async function lockFunding(manager: EntityManager, partnerIds: readonly string[]): Promise<void> {
  const ids = [...new Set(partnerIds)].sort();
  if (ids.length === 0) return;
  await sql(manager, 'SELECT partner_id FROM partner_funding WHERE partner_id = ANY($1::uuid[]) ORDER BY partner_id FOR UPDATE', [ids]);
}

/** Partners the member's accounts owe clawbacks to: the blocks that repaying them may refill. */
export async function clawbackPartners(manager: EntityManager, accountIds: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ partner_id: string }>(
    manager,
    'SELECT DISTINCT partner_id::text FROM clawbacks WHERE account_id = ANY($1::uuid[]) AND outstanding > 0',
    [[...accountIds]],
  );
  return rows.map((r) => r.partner_id);
}

/**
 * An earn's locks, in one statement: the earning partner's block and the blocks its clawback
 * repayments may refill, in partner id order (see lockFunding). Partners without a funding row
 * (post-paid, never topped up) lock nothing. Returns the earning partner's funding mode (null: no
 * row, post-paid), which cannot change while its row is locked: a post-paid earn skips the block draw.
 */
export async function lockFundingForEarn(manager: EntityManager, partnerId: string, memberAccountId: string): Promise<FundingMode | null> {
  const { rows } = await sql<{ partner_id: string; mode: FundingMode }>(
    manager,
    `SELECT partner_id::text, mode FROM partner_funding
      WHERE partner_id = $1 OR partner_id IN (SELECT c.partner_id FROM clawbacks c WHERE c.account_id = $2 AND c.outstanding > 0)
      ORDER BY partner_id FOR UPDATE`,
    [partnerId, memberAccountId],
  );
  return rows.find((r) => r.partner_id === partnerId)?.mode ?? null;
}

/**
 * Draws `points` from a prepaid partner's block in the caller's transaction (the earn's). One UPDATE
 * that re-checks `block_remaining >= points` after waiting on the row lock, backed by
 * CHECK (block_remaining >= 0): concurrent earns can never overdraw. Returns whether the earn was
 * paid from a block (false for a post-paid partner). Raises PREPAID_BLOCK_EXHAUSTED.
 */
export async function drawPrepaidBlock(manager: EntityManager, partnerId: string, points: bigint): Promise<boolean> {
  const { rows } = await sql<{ mode: FundingMode | null; drawn: boolean }>(
    manager,
    `WITH drawn AS (
       UPDATE partner_funding SET block_remaining = block_remaining - $2, updated_at = now()
        WHERE partner_id = $1 AND mode = 'PREPAID' AND block_remaining >= $2 RETURNING 1
     )
     SELECT (SELECT mode FROM partner_funding WHERE partner_id = $1) AS mode, EXISTS (SELECT 1 FROM drawn) AS drawn`,
    [partnerId, points.toString()],
  );
  if (rows[0].drawn) return true;
  if (rows[0].mode === 'PREPAID') throw new AppError('PREPAID_BLOCK_EXHAUSTED');
  return false;
}

/**
 * Gives points back to the block they were drawn from: a refund of an earn paid from a block, and
 * later clawbacks of it, return exactly the points that come back to the partner's issued account.
 */
export async function returnToPrepaidBlock(manager: EntityManager, partnerId: string, points: bigint): Promise<void> {
  if (points <= 0n) return;
  await sql(manager, 'UPDATE partner_funding SET block_remaining = block_remaining + $2, updated_at = now() WHERE partner_id = $1', [
    partnerId,
    points.toString(),
  ]);
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
    return this.read(this.dataSource.manager, partnerId);
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
        const { rows } = await sql<{ mode: FundingMode; low_balance_threshold: string }>(
          manager,
          `INSERT INTO partner_funding (partner_id, mode, low_balance_threshold) VALUES ($1, $2, coalesce($3, 0))
           ON CONFLICT (partner_id) DO UPDATE SET mode = EXCLUDED.mode,
             low_balance_threshold = coalesce($3, partner_funding.low_balance_threshold), updated_at = now()
           RETURNING mode, low_balance_threshold`,
          [partnerId, input.mode, threshold?.toString() ?? null],
        );
        await sql(
          manager,
          `INSERT INTO funding_movements (partner_id, kind, mode, low_balance_threshold, created_by) VALUES ($1, 'CONFIGURE', $2, $3, $4)`,
          [partnerId, rows[0].mode, rows[0].low_balance_threshold, viewer.subject],
        );
        await recordAudit(manager, viewer, partnerId);
        return { partnerId };
      }),
    );
    return this.read(this.dataSource.manager, partnerId);
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
    if (replay) return this.read(this.dataSource.manager, partnerId);
    const partner = await this.directory.partner(viewer, partnerId, requestId);
    if (!partner) throw notFound('Partner');
    if (partner.issuePrice === null) throw new Error('the admin must see partner terms');
    await this.dataSource.transaction(async (manager) =>
      idempotent(manager, request, async () => {
        const { rows } = await sql<{ mode: FundingMode; low_balance_threshold: string }>(
          manager,
          `INSERT INTO partner_funding (partner_id, mode, block_remaining) VALUES ($1, 'POSTPAID', $2)
           ON CONFLICT (partner_id) DO UPDATE SET block_remaining = partner_funding.block_remaining + $2, updated_at = now()
           RETURNING mode, low_balance_threshold`,
          [partnerId, points.toString()],
        );
        await sql(
          manager,
          `INSERT INTO funding_movements (partner_id, kind, mode, points, unit_price, price_currency, low_balance_threshold, created_by)
           VALUES ($1, 'TOP_UP', $2, $3, $4, $5, $6, $7)`,
          [partnerId, rows[0].mode, points.toString(), partner.issuePrice, partner.currency, rows[0].low_balance_threshold, viewer.subject],
        );
        await recordAudit(manager, viewer, partnerId);
        return { partnerId };
      }),
    );
    return this.read(this.dataSource.manager, partnerId);
  }

  private async read(manager: EntityManager, partnerId: string): Promise<Funding> {
    const { rows } = await sql<{ mode: FundingMode; block_remaining: string; low_balance_threshold: string }>(
      manager,
      'SELECT mode, block_remaining::text, low_balance_threshold::text FROM partner_funding WHERE partner_id = $1',
      [partnerId],
    );
    const row = rows[0];
    return {
      partnerId,
      mode: row?.mode ?? 'POSTPAID',
      blockRemaining: BigInt(row?.block_remaining ?? 0),
      lowBalanceThreshold: BigInt(row?.low_balance_threshold ?? 0),
    };
  }
}
