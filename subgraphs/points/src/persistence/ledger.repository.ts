import { type EntityManager } from 'typeorm';
import { entityColumns, hydrateEntities, notFound, selectEntities, sql } from '../../../shared/src';
import { TransactionEntity, type AccountKind, type TransactionKind } from './ledger.entity';

/**
 * The ledger's SQL, used inside a caller's database transaction. It decides nothing: services choose
 * what to post; this writes it so that postings, lots and their movements always agree.
 */

export interface LockedAccount {
  id: string;
  balance: bigint;
  pending: bigint;
  /** Whether refunded points are still owed back (see settleClawbacks); none appear while the lock is held. */
  owesClawbacks: boolean;
}

/**
 * Returns the account of (kind, owner), creating it if needed. Looked up first (every account but a
 * member's or partner's very first is there already: one round trip); else inserted, and if a concurrent
 * insert won, looked up again in a new statement: after waiting on that insert, only a new statement (a
 * new snapshot at READ COMMITTED) sees the row the other transaction committed. No row lock is taken, so
 * a partner's account never serialises writers.
 */
export async function ensureAccount(manager: EntityManager, kind: AccountKind, ownerId: string | null): Promise<string> {
  // `owner_id = $2`, not `IS NOT DISTINCT FROM $2`: only the former is an index condition. The latter
  // walked every account of the kind (a million member accounts made an earn 7 times slower).
  const find = async () =>
    (ownerId === null
      ? await sql<{ id: string }>(manager, 'SELECT id FROM accounts WHERE kind = $1 AND owner_id IS NULL', [kind])
      : await sql<{ id: string }>(manager, 'SELECT id FROM accounts WHERE kind = $1 AND owner_id = $2', [kind, ownerId])
    ).rows[0]?.id;
  const existing = await find();
  if (existing) return existing;
  const maintained = kind === 'MEMBER' || kind === 'CHARITY';
  const inserted = await sql<{ id: string }>(
    manager,
    'INSERT INTO accounts (kind, owner_id, maintained) VALUES ($1, $2, $3) ON CONFLICT (kind, owner_id) DO NOTHING RETURNING id',
    [kind, ownerId, maintained],
  );
  return inserted.rows[0]?.id ?? ((await find()) as string);
}

/** Locks a member's account row for the rest of the transaction: the one serialisation point per member. */
export async function lockMemberAccount(manager: EntityManager, memberId: string): Promise<LockedAccount | null> {
  const { rows } = await sql<{ id: string; balance: string; pending: string; owes_clawbacks: boolean }>(
    manager,
    `SELECT a.id, a.balance, a.pending, EXISTS (SELECT 1 FROM clawbacks c WHERE c.account_id = a.id AND c.outstanding > 0) AS owes_clawbacks
       FROM accounts a WHERE a.kind = 'MEMBER' AND a.owner_id = $1 FOR UPDATE OF a`,
    [memberId],
  );
  const row = rows[0];
  return row ? { id: row.id, balance: BigInt(row.balance), pending: BigInt(row.pending), owesClawbacks: row.owes_clawbacks } : null;
}

export interface NewTransaction {
  kind: TransactionKind;
  partnerId?: string | null;
  memberId?: string | null;
  reference: string;
  /** Net change to member accounts; checked against the postings at commit. */
  points: bigint;
  purchaseMinor?: bigint | null;
  purchaseCurrency?: string | null;
  earnRate?: string | null;
  reverses?: string | null;
  basePoints?: bigint | null;
  tierMultiplierMilli?: bigint | null;
  campaignBonus?: bigint | null;
  holdId?: string | null;
  /** Price per point in force when written (see migration 1734000000000-economics): a decimal string. */
  unitPrice?: string | null;
  priceCurrency?: string | null;
  /** An earn paid for from the partner's prepaid block. */
  blockDrawn?: boolean;
}

/** Writes a transaction and answers it as stored (every column, so a mutation's answer needs no second read). */
export async function insertTransaction(manager: EntityManager, t: NewTransaction): Promise<TransactionEntity> {
  const { rows } = await sql<Record<string, unknown>>(
    manager,
    `INSERT INTO transactions (kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate, reverses,
                               base_points, tier_multiplier_milli, campaign_bonus, hold_id, unit_price, price_currency, block_drawn)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING ${entityColumns(manager, TransactionEntity)}`,
    [
      t.kind,
      t.partnerId ?? null,
      t.memberId ?? null,
      t.reference,
      t.points.toString(),
      t.purchaseMinor?.toString() ?? null,
      t.purchaseCurrency ?? null,
      t.earnRate ?? null,
      t.reverses ?? null,
      t.basePoints?.toString() ?? null,
      t.tierMultiplierMilli?.toString() ?? null,
      t.campaignBonus?.toString() ?? null,
      t.holdId ?? null,
      t.unitPrice ?? null,
      t.priceCurrency ?? null,
      t.blockDrawn ?? false,
    ],
  );
  return hydrateEntities(manager, TransactionEntity, rows)[0];
}

/** Writes a transaction's postings; zero amounts are skipped (the table refuses them). */
export async function post(manager: EntityManager, transactionId: string, postings: { accountId: string; amount: bigint }[]): Promise<void> {
  const nonZero = postings.filter((p) => p.amount !== 0n);
  if (nonZero.length === 0) return;
  const values = nonZero.map((_, i) => `($1, $${i * 2 + 2}, $${i * 2 + 3})`).join(', ');
  await sql(manager, `INSERT INTO postings (transaction_id, account_id, amount) VALUES ${values}`, [
    transactionId,
    ...nonZero.flatMap((p) => [p.accountId, p.amount.toString()]),
  ]);
}

export async function createLot(
  manager: EntityManager,
  lot: { accountId: string; transactionId: string; partnerId: string; points: bigint; lifetimeMonths: number },
): Promise<void> {
  await sql(
    manager,
    `INSERT INTO lots (account_id, transaction_id, partner_id, points, remaining, expires_at)
     VALUES ($1, $2, $3, $4, $4, now() + make_interval(months => $5))`,
    [lot.accountId, lot.transactionId, lot.partnerId, lot.points.toString(), lot.lifetimeMonths],
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

/** A transaction by id, for answering a mutation; NOT_FOUND if it does not exist. */
export async function loadTransaction(manager: EntityManager, id: string): Promise<TransactionEntity> {
  const [row] = await selectEntities(manager, TransactionEntity, 'id = $1', [id]);
  if (!row) throw notFound('Transaction');
  return row;
}
