import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** How wrong codes are counted (see `RedemptionCodeGuard` in the domain and the 1738100000000 migration). */
export interface CodeFailureLimits {
  /** A member's failures within the window that void the member's live codes. */
  memberMaxFailures: number;
  /** A partner's failures within the window, across members, after which its code checks are refused. */
  partnerMaxFailures: number;
  windowSeconds: number;
}

export type CodeCheck = 'USED' | 'INVALID' | 'PARTNER_LIMITED';

/**
 * Stores a new code (its hash) for the member, valid `ttlSeconds` by database time; answers when it
 * expires, or null if the hash is taken (the caller draws another code).
 */
export async function insertRedemptionCode(
  manager: EntityManager,
  code: { memberId: string; codeHash: string; maxPoints: number | null; ttlSeconds: number },
): Promise<Date | null> {
  const { rows } = await sql<{ expires_at: Date }>(
    manager,
    `INSERT INTO redemption_codes (member_id, code_hash, max_points, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4)) ON CONFLICT (code_hash) DO NOTHING RETURNING expires_at`,
    [code.memberId, code.codeHash, code.maxPoints, code.ttlSeconds],
  );
  return rows[0]?.expires_at ?? null;
}

/**
 * Marks the member's code used, in the caller's transaction (a failed spend leaves it unused), unless the
 * partner has had `partnerMaxFailures` wrong codes within the window: then nothing is checked. One round
 * trip; the partner's count stops at the limit (index range scan on its recent failures).
 */
export async function useRedemptionCode(
  manager: EntityManager,
  input: { memberId: string; partnerId: string; codeHash: string; points: bigint },
  limits: CodeFailureLimits,
): Promise<CodeCheck> {
  const { rows } = await sql<{ limited: boolean; id: string | null }>(
    manager,
    `WITH limited AS (
       SELECT count(*) >= $5 AS yes FROM (
         SELECT 1 FROM redemption_code_failures WHERE partner_id = $4 AND failed_at > now() - make_interval(secs => $6) LIMIT $5
       ) recent
     ), used AS (
       UPDATE redemption_codes SET used_at = now()
        WHERE code_hash = $1 AND member_id = $2 AND used_at IS NULL AND voided_at IS NULL AND expires_at > now()
          AND (max_points IS NULL OR max_points >= $3) AND NOT (SELECT yes FROM limited)
       RETURNING id
     )
     SELECT (SELECT yes FROM limited) AS limited, (SELECT id FROM used) AS id`,
    [input.codeHash, input.memberId, input.points.toString(), input.partnerId, limits.partnerMaxFailures, limits.windowSeconds],
  );
  if (rows[0].limited) return 'PARTNER_LIMITED';
  return rows[0].id ? 'USED' : 'INVALID';
}

/**
 * Records one wrong code for the member at the partner, in a transaction of its own (`manager` must not be
 * the spend's, which rolls back). Failures of one member are serialised (an advisory lock on the member),
 * so the limit is reached exactly. When this failure is the member's `memberMaxFailures`-th in the window
 * since the last voiding, every live code of the member is voided. Also forgets the partner's failures
 * older than the window (nothing counts them any more). Returns how many codes were voided, or null when
 * the limit was not reached.
 */
export async function recordRedemptionCodeFailure(
  manager: EntityManager,
  input: { memberId: string; partnerId: string },
  limits: CodeFailureLimits,
): Promise<{ voided: number } | null> {
  await sql(manager, `SELECT pg_advisory_xact_lock(hashtextextended('redemption-code-failures:' || $1, 0))`, [input.memberId]);
  const { rows } = await sql<{ voided_codes: boolean }>(
    manager,
    `WITH since AS (
       SELECT coalesce(max(failed_at) FILTER (WHERE voided_codes), '-infinity') AS at
         FROM redemption_code_failures WHERE member_id = $1 AND failed_at > now() - make_interval(secs => $4)
     ), counted AS (
       SELECT count(*) AS n FROM redemption_code_failures, since
        WHERE member_id = $1 AND failed_at > now() - make_interval(secs => $4) AND failed_at > since.at
     )
     INSERT INTO redemption_code_failures (member_id, partner_id, voided_codes)
     SELECT $1, $2, counted.n + 1 >= $3 FROM counted
     RETURNING voided_codes`,
    [input.memberId, input.partnerId, limits.memberMaxFailures, limits.windowSeconds],
  );
  await sql(manager, `DELETE FROM redemption_code_failures WHERE partner_id = $1 AND failed_at <= now() - make_interval(secs => $2)`, [
    input.partnerId,
    limits.windowSeconds,
  ]);
  if (!rows[0].voided_codes) return null;
  const voided = await sql(
    manager,
    `UPDATE redemption_codes SET voided_at = clock_timestamp() WHERE member_id = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > now()`,
    [input.memberId],
  );
  return { voided: voided.rowCount };
}
