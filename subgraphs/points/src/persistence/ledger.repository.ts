import { type EntityManager } from 'typeorm';
import { AppError, claimCte, entityColumns, hydrateEntities, notFound, pgCode, PgCodes, selectEntities, sql } from '../../../../lib/src';
import { AccountEntity, TransactionEntity, type AccountKind, type TransactionKind } from './ledger.entity';

/**
 * The ledger's SQL (accounts, transactions, postings), used inside a caller's database transaction. It
 * decides nothing: services choose what to post; this writes it so that every transaction balances.
 * Lots and their movements, written in the same transactions, are in lots.repository.ts.
 */

export interface LockedAccount {
  id: string;
  balance: bigint;
  pending: bigint;
  /** Whether refunded points are still owed back (see settleClawbacks); none appear while the lock is held. */
  owesClawbacks: boolean;
  /** The closing (or merge) that closed the account; null while open. */
  closedBy: string | null;
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

/**
 * Locks a member's account row for the rest of the transaction: the one serialisation point per member.
 * A closed account (membership closed or merged away) is refused with MEMBER_CLOSED, read in this same
 * statement, so every write that locks the member refuses a closed one without another round trip; only
 * the closing's own steps pass `allowClosed` and get `closedBy` to decide themselves.
 */
export async function lockMemberAccount(manager: EntityManager, memberId: string, options: { allowClosed?: boolean } = {}): Promise<LockedAccount | null> {
  const { rows } = await sql<LockedRow>(manager, `${LOCK_MEMBER_SQL('$1')}`, [memberId]);
  return lockedAccount(rows[0], options);
}

type LockedRow = { id: string | null; balance: string; pending: string; owes_clawbacks: boolean; closed_by: string | null };

/** The member account lock of lockMemberAccount, for member id parameter `memberParam`. */
const LOCK_MEMBER_SQL = (memberParam: string, andAlso = '') =>
  `SELECT a.id, a.balance, a.pending, EXISTS (SELECT 1 FROM clawbacks c WHERE c.account_id = a.id AND c.outstanding > 0) AS owes_clawbacks, a.closed_by
     FROM accounts a WHERE a.kind = 'MEMBER' AND a.owner_id = ${memberParam} ${andAlso} FOR UPDATE OF a`;

function lockedAccount(row: LockedRow | undefined, options: { allowClosed?: boolean }): LockedAccount | null {
  if (row?.closed_by && !options.allowClosed) throw new AppError('MEMBER_CLOSED');
  return row?.id ? { id: row.id, balance: BigInt(row.balance), pending: BigInt(row.pending), owesClawbacks: row.owes_clawbacks, closedBy: row.closed_by } : null;
}

/**
 * An idempotent write's key claim (lib's claimCte, parameters $2 to $6, `claimParams`) and then, only
 * when claimed, lockMemberAccount's lock: one round trip. The lock reads the claim (a lateral join), so it
 * is taken after it, with the claim's 5 s wait already lifted. `claimed` false: the key was another
 * request's (answer with lostClaim); otherwise `account` as lockMemberAccount answers it.
 */
export async function claimAndLockMember(manager: EntityManager, claimParams: unknown[], memberId: string): Promise<{ claimed: boolean; account: LockedAccount | null }> {
  const { rows } = await sql<LockedRow>(
    manager,
    `WITH ${claimCte(2)}
     SELECT m.* FROM claim LEFT JOIN LATERAL (${LOCK_MEMBER_SQL('$1', 'AND claim.restored IS NOT NULL')}) m ON true`,
    [memberId, ...claimParams],
  ).catch((error: unknown) => {
    // The duplicate holding the key is still running after the claim's 5 s: as lib's `idempotent` answers.
    if (pgCode(error) === PgCodes.lockNotAvailable) throw new AppError('IDEMPOTENCY_KEY_IN_USE');
    throw error;
  });
  if (rows.length === 0) return { claimed: false, account: null };
  return { claimed: true, account: lockedAccount(rows[0], {}) };
}

/** One write of a batch for claimAndLockMembers: its claimCteParams and its member. */
export interface MemberClaim {
  claimParams: readonly unknown[];
  memberId: string;
}

/**
 * claimAndLockMember for several writes of different members, in one statement: every key is claimed (lib's
 * idempotency_keys row, as claimCte writes it), and then the accounts of the members whose key was claimed
 * are locked, in account id order (as every batch locks them, so that two batches never wait on each other
 * in a cycle). From this statement on, a lock wait longer than 1 s (a duplicate key still held by a request
 * in another process, a member locked by a long transaction) fails the batch: the caller's transaction is
 * then rolled back and each write runs on its own, so one such member holds the other writes of its batch
 * (and the slot) for a second at most; waits between batches and earns last milliseconds. Answers, per
 * write in the order given, whether its key was claimed and the member's locked account (null: none;
 * `closedBy` set: closed, which the caller refuses).
 */
export async function claimAndLockMembers(manager: EntityManager, claims: readonly MemberClaim[]): Promise<{ claimed: boolean; account: LockedAccount | null }[]> {
  const column = (i: number) => claims.map((c) => c.claimParams[i]);
  const { rows } = await sql<LockedRow & { n: string; claimed: boolean }>(
    manager,
    `WITH j AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::uuid[]) WITH ORDINALITY AS j (caller, operation, key, request_hash, response, member_id, n)
        WHERE set_config('lock_timeout', '1s', true) IS NOT NULL),
     claim AS (
       INSERT INTO idempotency_keys (caller, operation, key, request_hash, response)
       SELECT caller, operation, key, request_hash, response FROM j
       ON CONFLICT DO NOTHING RETURNING caller, operation, key),
     claimed AS (SELECT j.n, j.member_id FROM j JOIN claim USING (caller, operation, key)),
     locked AS (
       SELECT a.id, a.owner_id, a.balance, a.pending, EXISTS (SELECT 1 FROM clawbacks c WHERE c.account_id = a.id AND c.outstanding > 0) AS owes_clawbacks, a.closed_by
         FROM accounts a WHERE a.kind = 'MEMBER' AND a.owner_id IN (SELECT member_id FROM claimed) ORDER BY a.id FOR UPDATE OF a)
     SELECT j.n, claimed.n IS NOT NULL AS claimed, locked.id, locked.balance, locked.pending, locked.owes_clawbacks, locked.closed_by
       FROM j LEFT JOIN claimed ON claimed.n = j.n LEFT JOIN locked ON locked.owner_id = j.member_id AND claimed.n IS NOT NULL
      ORDER BY j.n`,
    [column(0), column(1), column(2), column(3), column(4), claims.map((c) => c.memberId)],
  );
  return rows.map((r) => ({ claimed: r.claimed, account: r.claimed && r.id ? { id: r.id, balance: BigInt(r.balance), pending: BigInt(r.pending), owesClawbacks: r.owes_clawbacks, closedBy: r.closed_by } : null }));
}

/** Deletes the key claims of writes a batch took and then handed back (each runs again on its own). */
export async function releaseClaims(manager: EntityManager, claims: readonly MemberClaim[]): Promise<void> {
  if (claims.length === 0) return;
  const column = (i: number) => claims.map((c) => c.claimParams[i]);
  await sql(manager, `DELETE FROM idempotency_keys WHERE (caller, operation, key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`, [column(0), column(1), column(2)]);
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

/** A transaction by id, or null. */
export async function findTransaction(manager: EntityManager, id: string): Promise<TransactionEntity | null> {
  const [row] = await selectEntities(manager, TransactionEntity, 'id = $1', [id]);
  return row ?? null;
}

/** A transaction by id, for answering a mutation; NOT_FOUND if it does not exist. */
export async function loadTransaction(manager: EntityManager, id: string): Promise<TransactionEntity> {
  const row = await findTransaction(manager, id);
  if (!row) throw notFound('Transaction');
  return row;
}

/** Whether a transaction reversing `transactionId` exists (at most one can: transactions_reverses_key). */
export async function isReversed(manager: EntityManager, transactionId: string): Promise<boolean> {
  const { rowCount } = await sql(manager, 'SELECT 1 FROM transactions WHERE reverses = $1', [transactionId]);
  return rowCount > 0;
}

/**
 * Up to `take` transactions of a member and/or a partner, newest first, after the transaction `afterId`
 * (a keyset page: pages never skip or repeat rows written meanwhile).
 */
export async function transactionsNewestFirst(
  manager: EntityManager,
  filter: { memberId?: string; partnerId?: string },
  take: number,
  afterId: string | null,
): Promise<TransactionEntity[]> {
  const query = manager.getRepository(TransactionEntity).createQueryBuilder('t');
  if (filter.memberId !== undefined) query.andWhere('t.member_id = :memberId', { memberId: filter.memberId });
  if (filter.partnerId !== undefined) query.andWhere('t.partner_id = :partnerId', { partnerId: filter.partnerId });
  query.orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').limit(take);
  if (afterId) {
    // The cursor names the last row seen; its exact (microsecond) time comes from the database.
    query.andWhere('(t.created_at, t.id) < (SELECT c.created_at, c.id FROM transactions c WHERE c.id = :after)', { after: afterId });
  }
  return query.getMany();
}

/** The member accounts of `memberIds` (valid ids only; members without an account have none). */
export async function memberAccounts(manager: EntityManager, memberIds: readonly string[]): Promise<AccountEntity[]> {
  if (memberIds.length === 0) return [];
  return selectEntities(manager, AccountEntity, `kind = 'MEMBER' AND owner_id = ANY($1::uuid[])`, [memberIds]);
}

/** An account's posted balance and the points its open holds keep. */
export async function accountFigures(manager: EntityManager, accountId: string): Promise<{ balance: bigint; pending: bigint }> {
  const { rows } = await sql<{ balance: string; pending: string }>(manager, 'SELECT balance, pending FROM accounts WHERE id = $1', [accountId]);
  return { balance: BigInt(rows[0].balance), pending: BigInt(rows[0].pending) };
}

/** Locks the accounts' rows, in id order (two lockers of overlapping sets never wait on each other in a cycle). */
export async function lockAccounts(manager: EntityManager, accountIds: readonly string[]): Promise<void> {
  await sql(manager, 'SELECT id FROM accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [[...accountIds]]);
}

/**
 * Locks an open account unless another transaction holds it; answers its owner, or null when it was locked
 * or is closed (a closed member's points are settled by its closing: forfeited, or kept for its donation).
 */
export async function tryLockAccount(manager: EntityManager, accountId: string): Promise<{ ownerId: string } | null> {
  const { rows } = await sql<{ owner_id: string }>(manager, 'SELECT owner_id FROM accounts WHERE id = $1 AND closed_at IS NULL FOR UPDATE SKIP LOCKED', [accountId]);
  return rows[0] ? { ownerId: rows[0].owner_id } : null;
}
