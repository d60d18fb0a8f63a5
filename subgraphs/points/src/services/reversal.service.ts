import { type DataSource, type EntityManager } from 'typeorm';
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
  recordAudit,
  sql,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../shared/src';
import { TransactionEntity } from '../persistence/ledger.entity';
import { consumeLots, ensureAccount, insertTransaction, loadTransaction, lockMemberAccount, post, restoreLots } from '../persistence/ledger.repository';
import { type DirectoryClient } from '../clients/directory.client';
import { returnToPrepaidBlock } from './funding.service';
import { availablePoints, expireDueLots, refuseBalanceOverflow, settleClawbacks } from './member-ledger';

/**
 * What became of an earn's lot: points still in it, and points that expired from it (net of any
 * restored into it later). The rest were spent.
 */
async function earnLotFate(manager: EntityManager, earnId: string): Promise<{ remaining: bigint; expired: bigint }> {
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

/**
 * Reverses an earn (a refund) or a redemption (a return), at most once, by the partner that made it or
 * the admin. Points never come from nowhere:
 * - reversing a redemption gives the member back exactly the points it took, into the lots they came
 *   from (lots that expired meanwhile expire again at the next sweep);
 * - reversing an earn settles each point the earn issued by what became of it: points still in the
 *   earn's lot come back out of the member; points that expired come back from breakage (the member is
 *   not charged twice); points the member spent are taken from other available points, and whatever
 *   is still missing becomes a clawback that points becoming available again repay first. A refund can
 *   never leave the member with points that no purchase paid for, and no balance goes below zero.
 *
 * A suspended partner cannot reverse (PARTNER_SUSPENDED): a refund or a return moves points and money
 * between the partner and the coalition as much as an earn or a redemption does, and suspension stops
 * the partner moving either. The admin can still reverse a suspended partner's transactions on its
 * behalf (a refund owed to a customer is not lost), and a replay of a reversal made before the
 * suspension still answers with its result.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, ALREADY_FINALIZED, PARTNER_SUSPENDED,
 * IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class ReversalService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
  ) {}

  async reverse(viewer: Viewer, input: { transactionId: string; idempotencyKey: string }, requestId: string): Promise<TransactionEntity> {
    if (!isAdmin(viewer) && !(viewer.partnerId && viewer.scopes.has('points:reverse'))) {
      throw forbidden('Requires a partner token with scope points:reverse, or admin');
    }
    const originalId = validate.uuid('transactionId', input.transactionId);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'reverseTransaction', key: input.idempotencyKey, input };
    const replay = await storedResult<{ transactionId: string }>(this.dataSource.manager, request);
    if (!replay && !isAdmin(viewer)) await this.directory.requireActiveCallingPartner(viewer, requestId);
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

              await expireDueLots(manager, account.id, original.memberId);

              const points = BigInt(original.points);
              if (original.kind === 'EARN') {
                // What became of the earn's own lot decides who gives the points back.
                const fate = await earnLotFate(manager, original.id);
                const available = await availablePoints(manager, account.id);
                const stillThere = fate.remaining < available ? fate.remaining : available > 0n ? available : 0n;
                const spent = points - fate.remaining - fate.expired;
                const otherAvailable = available - stillThere;
                const recoveredSpent = spent < otherAvailable ? spent : otherAvailable > 0n ? otherAvailable : 0n;
                const fromMember = stillThere + recoveredSpent;
                const owed = points - fate.expired - fromMember;
                const issued = await ensureAccount(manager, 'PARTNER_ISSUED', original.partnerId);
                const breakage = fate.expired > 0n ? await ensureAccount(manager, 'COALITION_BREAKAGE', null) : null;
                const { id: transactionId } = await insertTransaction(manager, {
                  kind: 'REVERSAL',
                  partnerId: original.partnerId,
                  memberId: original.memberId,
                  reference: original.reference,
                  points: -fromMember,
                  reverses: original.id,
                  unitPrice: original.unitPrice,
                  priceCurrency: original.priceCurrency,
                });
                // Points that come back to the partner return to the prepaid block the earn drew on.
                if (original.blockDrawn) await returnToPrepaidBlock(manager, original.partnerId, fromMember + fate.expired);
                await post(manager, transactionId, [
                  { accountId: account.id, amount: -fromMember },
                  ...(breakage ? [{ accountId: breakage, amount: -fate.expired }] : []),
                  { accountId: issued, amount: fromMember + fate.expired },
                ]);
                await consumeLots(manager, transactionId, account.id, fromMember, { firstFromTransaction: original.id });
                if (owed > 0n) {
                  await sql(
                    manager,
                    'INSERT INTO clawbacks (account_id, partner_id, reversal_transaction, points, outstanding) VALUES ($1, $2, $3, $4, $4)',
                    [account.id, original.partnerId, transactionId, owed.toString()],
                  );
                }
                await recordAudit(manager, viewer, transactionId);
                return { transactionId };
              }
              // A redemption: `points` is negative (what the member spent).
              const honoured = await ensureAccount(manager, 'PARTNER_HONOURED', original.partnerId);
              const { id: transactionId } = await insertTransaction(manager, {
                kind: 'REVERSAL',
                partnerId: original.partnerId,
                memberId: original.memberId,
                reference: original.reference,
                points: -points,
                reverses: original.id,
                unitPrice: original.unitPrice,
                priceCurrency: original.priceCurrency,
              });
              await post(manager, transactionId, [
                { accountId: honoured, amount: points },
                { accountId: account.id, amount: -points },
              ]).catch(refuseBalanceOverflow('transactionId'));
              await restoreLots(manager, transactionId, original.id);
              await settleClawbacks(manager, account.id, original.memberId);
              await recordAudit(manager, viewer, transactionId);
              return { transactionId };
            }),
          )
          .catch((error: unknown) => {
            // Two different keys racing to reverse one transaction: the unique index lets one win.
            if (pgCode(error) === PgCodes.uniqueViolation && pgConstraint(error) === 'transactions_reverses_key') throw new AppError('ALREADY_FINALIZED');
            throw error;
          })
      ).result;
    return loadTransaction(this.dataSource.manager, result.transactionId);
  }
}
