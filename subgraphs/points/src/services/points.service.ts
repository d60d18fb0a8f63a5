import { type DataSource, type EntityManager, In } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  currencyExponent,
  idempotent,
  forbidden,
  isAdmin,
  isSelf,
  notFound,
  parseMoney,
  parseScaled,
  pgConstraint,
  RATE_SCALE,
  requestHash,
  requirePartner,
  sql,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../shared/src';
import { MAX_POINTS_PER_TRANSACTION, pointsForPurchase } from '../domain/earn.rules';
import { AccountEntity, TransactionEntity } from '../persistence/ledger.entity';
import { type DirectoryService } from './directory.service';

export interface EarnInput {
  memberId: string;
  purchase: { amount: string; currency: string };
  reference: string;
  idempotencyKey: string;
}

/**
 * The points ledger: awards points as balanced postings, and reads balances and transactions.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, PARTNER_SUSPENDED, IDEMPOTENCY_KEY_REUSED,
 * IDEMPOTENCY_KEY_IN_USE.
 */
export class PointsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
  ) {}

  /**
   * Who sees a member's points: the member and the admin all of them; a partner with members:lookup only
   * `available` (the contract's lookup view); anyone else nothing. Returns the view, or throws FORBIDDEN.
   */
  accountView(viewer: Viewer, memberId: string): 'full' | 'available' {
    if (isAdmin(viewer) || isSelf(viewer, memberId)) return 'full';
    if (viewer.partnerId && viewer.scopes.has('members:lookup')) return 'available';
    throw forbidden("Only the member, the admin and partners with members:lookup see a member's points");
  }

  async earn(viewer: Viewer, input: EarnInput, requestId: string): Promise<TransactionEntity> {
    const partnerId = requirePartner(viewer, 'points:earn');
    const memberId = validate.uuid('memberId', input.memberId);
    const purchase = parseMoney('purchase', input.purchase);
    const reference = validate.text('reference', input.reference, 255);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'earnPoints', key: input.idempotencyKey, input };

    // A retry is answered from the stored result before any call to other subgraphs.
    const replay = await this.storedResult<{ transactionId: string }>(request);
    if (replay) return this.mustLoadTransaction(replay.transactionId);

    const partner = await this.directory.callingPartner(viewer, requestId);
    if (partner.id !== partnerId) throw new AppError('FORBIDDEN');
    if (partner.status !== 'ACTIVE') throw new AppError('PARTNER_SUSPENDED');
    if (purchase.currency !== partner.currency) {
      throw badInput('purchase.currency', `must be the partner's currency (${partner.currency})`);
    }
    const points = pointsForPurchase(purchase.minor, currencyExponent(purchase.currency), parseScaled('earnRate', partner.earnRate, RATE_SCALE));
    if (points > MAX_POINTS_PER_TRANSACTION) throw badInput('purchase.amount', 'earns more points than one transaction may carry');

    if (!(await this.accountExists('MEMBER', memberId)) && !(await this.directory.memberIsActive(viewer, memberId, requestId))) {
      throw notFound('Member');
    }

    const { result } = await this.dataSource.transaction(async (manager) =>
      idempotent(manager, request, async () => {
        const memberAccount = await this.ensureAccount(manager, 'MEMBER', memberId);
        const issuedAccount = await this.ensureAccount(manager, 'PARTNER_ISSUED', partnerId);
        const { rows } = await sql<{ id: string }>(
          manager,
          `INSERT INTO transactions (kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate)
           VALUES ('EARN', $1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [partnerId, memberId, reference, points.toString(), purchase.minor.toString(), purchase.currency, partner.earnRate],
        );
        const transactionId = rows[0].id;
        if (points > 0n) {
          await sql(manager, `INSERT INTO postings (transaction_id, account_id, amount) VALUES ($1, $2, $3), ($1, $4, $5)`, [
            transactionId,
            issuedAccount,
            (-points).toString(),
            memberAccount,
            points.toString(),
          ]).catch((error: unknown) => {
            if (pgConstraint(error) === 'accounts_member_int_check') {
              throw badInput('purchase.amount', "would take the member's balance past the largest balance a member can hold (2147483647 points)");
            }
            throw error;
          });
        }
        return { transactionId };
      }),
    );
    return this.mustLoadTransaction(result.transactionId);
  }

  /** A transaction the viewer may see: its partner's, its member's, or any for the admin. Else null. */
  async transaction(viewer: Viewer, id: string): Promise<TransactionEntity | null> {
    const row = await this.dataSource.getRepository(TransactionEntity).findOneBy({ id: validate.uuid('id', id) });
    if (!row) return null;
    const visible = isAdmin(viewer) || (!!viewer.partnerId && row.partnerId === viewer.partnerId) || (!!row.memberId && isSelf(viewer, row.memberId));
    return visible ? row : null;
  }

  async memberAccounts(memberIds: readonly string[]): Promise<AccountEntity[]> {
    if (memberIds.length === 0) return [];
    return this.dataSource.getRepository(AccountEntity).findBy({ kind: 'MEMBER', ownerId: In([...memberIds]) });
  }

  private async storedResult<R>(request: { caller: string; operation: string; key: string; input: unknown }): Promise<R | null> {
    const { rows } = await sql<{ request_hash: string; response: R | null }>(
      this.dataSource.manager,
      'SELECT request_hash, response FROM idempotency_keys WHERE caller = $1 AND operation = $2 AND key = $3',
      [request.caller, request.operation, request.key],
    );
    if (!rows[0]) return null;
    if (rows[0].request_hash !== requestHash(request.input)) throw new AppError('IDEMPOTENCY_KEY_REUSED');
    return rows[0].response;
  }

  private async accountExists(kind: 'MEMBER', ownerId: string): Promise<boolean> {
    const { rowCount } = await sql(this.dataSource.manager, 'SELECT 1 FROM accounts WHERE kind = $1 AND owner_id = $2', [kind, ownerId]);
    return rowCount > 0;
  }

  private async ensureAccount(manager: EntityManager, kind: 'MEMBER' | 'PARTNER_ISSUED', ownerId: string): Promise<string> {
    // Two statements, not one CTE: after waiting on a concurrent insert, only a new statement (a new
    // snapshot at READ COMMITTED) sees the row the other transaction committed. No row lock is taken,
    // so a partner's account never serialises its earns.
    const inserted = await sql<{ id: string }>(
      manager,
      'INSERT INTO accounts (kind, owner_id, maintained) VALUES ($1, $2, $3) ON CONFLICT (kind, owner_id) DO NOTHING RETURNING id',
      [kind, ownerId, kind === 'MEMBER'],
    );
    if (inserted.rows[0]) return inserted.rows[0].id;
    const { rows } = await sql<{ id: string }>(manager, 'SELECT id FROM accounts WHERE kind = $1 AND owner_id = $2', [kind, ownerId]);
    return rows[0].id;
  }

  private async mustLoadTransaction(id: string): Promise<TransactionEntity> {
    const row = await this.dataSource.getRepository(TransactionEntity).findOneBy({ id });
    if (!row) throw notFound('Transaction');
    return row;
  }
}
