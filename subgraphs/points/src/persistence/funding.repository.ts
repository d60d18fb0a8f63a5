import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Partners' funding (partner_funding) and its history (funding_movements), used inside a caller's database
 * transaction. It decides nothing: FundingService and the ledger's services decide when a block is drawn,
 * refilled, configured or topped up.
 */

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

/** lockFundingForEarn's statement, for partner and member account parameters: also a CTE of readPricingContexts. */
export const EARN_FUNDING_LOCK_SQL = (partnerParam: string, accountParam: string) =>
  `SELECT partner_id::text, mode FROM partner_funding
    WHERE partner_id = ${partnerParam} OR partner_id IN (SELECT c.partner_id FROM clawbacks c WHERE c.account_id = ${accountParam} AND c.outstanding > 0)
    ORDER BY partner_id FOR UPDATE`;

/**
 * An earn's locks, in one statement: the earning partner's block and the blocks its clawback
 * repayments may refill, in partner id order (see lockFunding). Partners without a funding row
 * (post-paid, never topped up) lock nothing. Returns the earning partner's funding mode (null: no
 * row, post-paid), which cannot change while its row is locked: a post-paid earn skips the block draw.
 */
export async function lockFundingForEarn(manager: EntityManager, partnerId: string, memberAccountId: string): Promise<FundingMode | null> {
  const { rows } = await sql<{ partner_id: string; mode: FundingMode }>(
    manager,
    EARN_FUNDING_LOCK_SQL('$1', '$2'),
    [partnerId, memberAccountId],
  );
  return rows.find((r) => r.partner_id === partnerId)?.mode ?? null;
}

/**
 * Takes `points` from a prepaid partner's block if it holds them: one UPDATE that re-checks
 * `block_remaining >= points` after waiting on the row lock, backed by CHECK (block_remaining >= 0), so
 * concurrent earns can never overdraw. Answers whether it drew, and the partner's mode (null: no row).
 */
export async function drawFromBlock(manager: EntityManager, partnerId: string, points: bigint): Promise<{ mode: FundingMode | null; drawn: boolean }> {
  const { rows } = await sql<{ mode: FundingMode | null; drawn: boolean }>(
    manager,
    `WITH drawn AS (
       UPDATE partner_funding SET block_remaining = block_remaining - $2, updated_at = now()
        WHERE partner_id = $1 AND mode = 'PREPAID' AND block_remaining >= $2 RETURNING 1
     )
     SELECT (SELECT mode FROM partner_funding WHERE partner_id = $1) AS mode, EXISTS (SELECT 1 FROM drawn) AS drawn`,
    [partnerId, points.toString()],
  );
  return rows[0];
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

/** Sets the partner's mode (and threshold, when given; 0 for a new row); answers the row's mode and threshold. */
export async function configureFunding(
  manager: EntityManager,
  partnerId: string,
  mode: FundingMode,
  lowBalanceThreshold: bigint | null,
): Promise<{ mode: FundingMode; low_balance_threshold: string }> {
  const { rows } = await sql<{ mode: FundingMode; low_balance_threshold: string }>(
    manager,
    `INSERT INTO partner_funding (partner_id, mode, low_balance_threshold) VALUES ($1, $2, coalesce($3, 0))
     ON CONFLICT (partner_id) DO UPDATE SET mode = EXCLUDED.mode,
       low_balance_threshold = coalesce($3, partner_funding.low_balance_threshold), updated_at = now()
     RETURNING mode, low_balance_threshold`,
    [partnerId, mode, lowBalanceThreshold?.toString() ?? null],
  );
  return rows[0];
}

/** Adds `points` to the partner's block (a new row is POSTPAID); answers the row's mode and threshold. */
export async function addToBlock(manager: EntityManager, partnerId: string, points: bigint): Promise<{ mode: FundingMode; low_balance_threshold: string }> {
  const { rows } = await sql<{ mode: FundingMode; low_balance_threshold: string }>(
    manager,
    `INSERT INTO partner_funding (partner_id, mode, block_remaining) VALUES ($1, 'POSTPAID', $2)
     ON CONFLICT (partner_id) DO UPDATE SET block_remaining = partner_funding.block_remaining + $2, updated_at = now()
     RETURNING mode, low_balance_threshold`,
    [partnerId, points.toString()],
  );
  return rows[0];
}

/** The funding history: one row per configuration and per top-up, with who made it. */
export async function recordConfiguration(
  manager: EntityManager,
  m: { partnerId: string; mode: FundingMode; lowBalanceThreshold: string; createdBy: string },
): Promise<void> {
  await sql(
    manager,
    `INSERT INTO funding_movements (partner_id, kind, mode, low_balance_threshold, created_by) VALUES ($1, 'CONFIGURE', $2, $3, $4)`,
    [m.partnerId, m.mode, m.lowBalanceThreshold, m.createdBy],
  );
}

export async function recordTopUp(
  manager: EntityManager,
  m: { partnerId: string; mode: FundingMode; points: bigint; unitPrice: string; priceCurrency: string; lowBalanceThreshold: string; createdBy: string },
): Promise<void> {
  await sql(
    manager,
    `INSERT INTO funding_movements (partner_id, kind, mode, points, unit_price, price_currency, low_balance_threshold, created_by)
     VALUES ($1, 'TOP_UP', $2, $3, $4, $5, $6, $7)`,
    [m.partnerId, m.mode, m.points.toString(), m.unitPrice, m.priceCurrency, m.lowBalanceThreshold, m.createdBy],
  );
}

/** The partner's funding as stored; a partner without a row is post-paid with an empty block. */
export async function readFunding(manager: EntityManager, partnerId: string): Promise<Funding> {
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
