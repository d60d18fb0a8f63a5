import { type DataSource } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  forbidden,
  idempotent,
  isAdmin,
  notFound,
  pgCode,
  pgConstraint,
  PgCodes,
  sql,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../shared/src';
import { TransactionEntity } from '../persistence/ledger.entity';
import { consumeLots, ensureAccount, insertTransaction, lockMemberAccount, post, restoreLots } from '../persistence/ledger.repository';

/**
 * Reverses an earn (a refund) or a redemption (a return), at most once, by the partner that made it or
 * the admin. Points never come from nowhere:
 * - reversing a redemption gives the member back exactly the points it took, into the lots they came
 *   from (lots that expired meanwhile expire again at the next sweep);
 * - reversing an earn takes its points back out of the member: what is still available now, from that
 *   earn's lot first; if the member already spent them, the shortfall becomes a clawback that the
 *   member's next earnings repay before anything else. A refund can never leave the member with points
 *   that no purchase paid for, and the balance never goes below zero.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, ALREADY_FINALIZED, IDEMPOTENCY_KEY_REUSED,
 * IDEMPOTENCY_KEY_IN_USE.
 */
export class ReversalService {
  constructor(private readonly dataSource: DataSource) {}

  async reverse(viewer: Viewer, input: { transactionId: string; idempotencyKey: string }): Promise<TransactionEntity> {
    if (!isAdmin(viewer) && !(viewer.partnerId && viewer.scopes.has('points:reverse'))) {
      throw forbidden('Requires a partner token with scope points:reverse, or admin');
    }
    const originalId = validate.uuid('transactionId', input.transactionId);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'reverseTransaction', key: input.idempotencyKey, input };
    const replay = await storedResult<{ transactionId: string }>(this.dataSource.manager, request);
    const result =
      replay ??
      (
        await this.dataSource
          .transaction(async (manager) =>
            idempotent(manager, request, async () => {
              const original = await manager.getRepository(TransactionEntity).findOneBy({ id: originalId });
              if (!original || (!isAdmin(viewer) && original.partnerId !== viewer.partnerId)) throw notFound('Transaction');
              if (original.kind !== 'EARN' && original.kind !== 'REDEEM') {
                throw badInput('transactionId', 'only earns and redemptions can be reversed');
              }
              if (!original.memberId || !original.partnerId) throw new Error(`transaction ${original.id} lacks a member or partner`);
              const account = await lockMemberAccount(manager, original.memberId);
              if (!account) throw new Error(`member account of ${original.memberId} vanished`);
              const already = await sql(manager, 'SELECT 1 FROM transactions WHERE reverses = $1', [original.id]);
              if (already.rowCount > 0) throw new AppError('ALREADY_FINALIZED');

              const points = BigInt(original.points);
              if (original.kind === 'EARN') {
                const available = account.balance - account.pending;
                const recovered = points < available ? points : available > 0n ? available : 0n;
                const issued = await ensureAccount(manager, 'PARTNER_ISSUED', original.partnerId);
                const transactionId = await insertTransaction(manager, {
                  kind: 'REVERSAL',
                  partnerId: original.partnerId,
                  memberId: original.memberId,
                  reference: original.reference,
                  points: -recovered,
                  reverses: original.id,
                });
                await post(manager, transactionId, [
                  { accountId: account.id, amount: -recovered },
                  { accountId: issued, amount: recovered },
                ]);
                await consumeLots(manager, transactionId, account.id, recovered, { firstFromTransaction: original.id });
                if (points > recovered) {
                  await sql(
                    manager,
                    'INSERT INTO clawbacks (account_id, partner_id, reversal_transaction, points, outstanding) VALUES ($1, $2, $3, $4, $4)',
                    [account.id, original.partnerId, transactionId, (points - recovered).toString()],
                  );
                }
                return { transactionId };
              }
              // A redemption: `points` is negative (what the member spent).
              const honoured = await ensureAccount(manager, 'PARTNER_HONOURED', original.partnerId);
              const transactionId = await insertTransaction(manager, {
                kind: 'REVERSAL',
                partnerId: original.partnerId,
                memberId: original.memberId,
                reference: original.reference,
                points: -points,
                reverses: original.id,
              });
              await post(manager, transactionId, [
                { accountId: honoured, amount: points },
                { accountId: account.id, amount: -points },
              ]);
              await restoreLots(manager, transactionId, original.id);
              return { transactionId };
            }),
          )
          .catch((error: unknown) => {
            // Two different keys racing to reverse one transaction: the unique index lets one win.
            if (pgCode(error) === PgCodes.uniqueViolation && pgConstraint(error) === 'transactions_reverses_key') throw new AppError('ALREADY_FINALIZED');
            throw error;
          })
      ).result;
    const row = await this.dataSource.getRepository(TransactionEntity).findOneBy({ id: result.transactionId });
    if (!row) throw notFound('Transaction');
    return row;
  }
}
