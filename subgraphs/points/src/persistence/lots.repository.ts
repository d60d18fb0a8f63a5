import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Members' lots (points by the earn that issued them, with their expiry) and their movements (what each
 * transaction took from or gave back to each lot), used inside a caller's database transaction: a
 * member's lots always sum to the balance. Expiry is always by database time (`now()`), never the
 * application's clock.
 */

/**
 * A lot: `partnerId` is its issuer (null: the coalition's marketing budget). `unitPrice`/`priceCurrency`,
 * when given, are the lot's own price; without them the lot is priced as its transaction.
 */
export async function createLot(
  manager: EntityManager,
  lot: { accountId: string; transactionId: string; partnerId: string | null; points: bigint; lifetimeMonths: number; unitPrice?: string; priceCurrency?: string },
): Promise<void> {
  await sql(
    manager,
    `INSERT INTO lots (account_id, transaction_id, partner_id, points, remaining, expires_at, unit_price, price_currency)
     VALUES ($1, $2, $3, $4, $4, now() + make_interval(months => $5), $6, $7)`,
    [lot.accountId, lot.transactionId, lot.partnerId, lot.points.toString(), lot.lifetimeMonths, lot.unitPrice ?? null, lot.priceCurrency ?? null],
  );
}

/**
 * Takes `points` from the account's lots, oldest expiry first (optionally one lot first, as a refund
 * takes back the points it earned), recording each draw as a movement of `transactionId`. The caller
 * holds the account lock and has checked the balance; lots always sum to the balance.
 */
export async function consumeLots(
  manager: EntityManager,
  transactionId: string,
  accountId: string,
  points: bigint,
  options: { firstFromTransaction?: string; onlyExpired?: boolean } = {},
): Promise<void> {
  if (points <= 0n) return;
  const { rows } = await sql<{ id: string; remaining: string }>(
    manager,
    `SELECT id, remaining FROM lots
      WHERE account_id = $1 AND remaining > 0 ${options.onlyExpired ? 'AND expires_at <= now()' : ''}
      ORDER BY (transaction_id = $2) DESC, expires_at, earned_at, id
      FOR UPDATE`,
    [accountId, options.firstFromTransaction ?? '00000000-0000-0000-0000-000000000000'],
  );
  let left = points;
  const draws: { lotId: string; take: bigint }[] = [];
  for (const lot of rows) {
    if (left === 0n) break;
    const take = BigInt(lot.remaining) < left ? BigInt(lot.remaining) : left;
    draws.push({ lotId: lot.id, take });
    left -= take;
  }
  if (left > 0n) throw new Error(`lots of account ${accountId} hold ${points - left} points, ${points} needed`);
  await applyDraws(manager, transactionId, draws.map((d) => ({ lotId: d.lotId, delta: -d.take })));
}

/** Gives back to each lot what `originalTransactionId` took from it (a reversed redemption). */
export async function restoreLots(manager: EntityManager, transactionId: string, originalTransactionId: string): Promise<void> {
  const { rows } = await sql<{ lot_id: string; points: string }>(
    manager,
    'SELECT lot_id, sum(points)::text AS points FROM lot_movements WHERE transaction_id = $1 GROUP BY lot_id HAVING sum(points) < 0',
    [originalTransactionId],
  );
  await applyDraws(manager, transactionId, rows.map((r) => ({ lotId: r.lot_id, delta: -BigInt(r.points) })));
}

async function applyDraws(manager: EntityManager, transactionId: string, draws: { lotId: string; delta: bigint }[]): Promise<void> {
  if (draws.length === 0) return;
  const ids = draws.map((d) => d.lotId);
  const deltas = draws.map((d) => d.delta.toString());
  await sql(
    manager,
    `UPDATE lots l SET remaining = l.remaining + d.delta
       FROM unnest($1::uuid[], $2::bigint[]) AS d(lot_id, delta) WHERE l.id = d.lot_id`,
    [ids, deltas],
  );
  await sql(
    manager,
    `INSERT INTO lot_movements (transaction_id, lot_id, points) SELECT $1, lot_id, delta FROM unnest($2::uuid[], $3::bigint[]) AS d(lot_id, delta)`,
    [transactionId, ids, deltas],
  );
}

/** Points in the account's lots that have expired and are still there. */
export async function expiredPoints(manager: EntityManager, accountId: string): Promise<bigint> {
  const { rows } = await sql<{ points: string }>(
    manager,
    'SELECT coalesce(sum(remaining), 0)::text AS points FROM lots WHERE account_id = $1 AND remaining > 0 AND expires_at <= now()',
    [accountId],
  );
  return BigInt(rows[0].points);
}

/**
 * What became of an earn's lot, locked: points still in it, and points that expired from it (net of any
 * restored into it later). The rest were spent.
 */
export async function earnLotFate(manager: EntityManager, earnId: string): Promise<{ remaining: bigint; expired: bigint }> {
  const { rows } = await sql<{ remaining: string | null; expired: string | null }>(
    manager,
    `SELECT l.remaining::text AS remaining,
            (SELECT coalesce(-sum(m.points), 0) FROM lot_movements m JOIN transactions t ON t.id = m.transaction_id
              WHERE m.lot_id = l.id AND t.kind = 'EXPIRY')::text AS expired
       FROM lots l WHERE l.transaction_id = $1 FOR UPDATE OF l`,
    [earnId],
  );
  return { remaining: BigInt(rows[0]?.remaining ?? 0), expired: BigInt(rows[0]?.expired ?? 0) };
}

/** A member's points that expire within `days` days, summed by expiry time, soonest first. */
export async function expiringPoints(manager: EntityManager, memberId: string, days: number): Promise<{ points: bigint; expiresAt: Date }[]> {
  const { rows } = await sql<{ points: string; expires_at: Date }>(
    manager,
    `SELECT sum(l.remaining)::text AS points, l.expires_at FROM lots l JOIN accounts a ON a.id = l.account_id
      WHERE a.kind = 'MEMBER' AND a.owner_id = $1 AND l.remaining > 0 AND l.expires_at <= now() + make_interval(days => $2)
      GROUP BY l.expires_at ORDER BY l.expires_at`,
    [memberId, days],
  );
  return rows.map((r) => ({ points: BigInt(r.points), expiresAt: r.expires_at }));
}

/** Up to `limit` accounts with expired points, in account id order after `afterAccountId` (a keyset page). */
export async function accountsWithExpiredLots(manager: EntityManager, afterAccountId: string, limit: number): Promise<string[]> {
  const { rows } = await sql<{ account_id: string }>(
    manager,
    'SELECT DISTINCT account_id FROM lots WHERE remaining > 0 AND expires_at <= now() AND account_id > $1 ORDER BY account_id LIMIT $2',
    [afterAccountId, limit],
  );
  return rows.map((r) => r.account_id);
}
