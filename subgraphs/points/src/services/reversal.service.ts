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
  recordAudit,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../../lib/src';
import { type TransactionEntity } from '../persistence/ledger.entity';
import { recordClawback } from '../persistence/clawbacks.repository';
import { returnToPrepaidBlock } from '../persistence/funding.repository';
import {
  ensureAccount,
  findTransaction,
  insertTransaction,
  isReversed,
  loadTransaction,
  lockMemberAccount,
  post,
} from '../persistence/ledger.repository';
import { consumeLots, earnLotFate, restoreLots } from '../persistence/lots.repository';
import { grantedActivations, returnOfferUses, voidActivations } from '../persistence/offer-activations.repository';
import { removeQualifying } from '../persistence/tiers-campaigns.repository';
import { awardsOf } from '../persistence/awards.repository';
import { setProgress, stampEventsOf } from '../persistence/stamp-cards.repository';
import { returnStamps, takeBackOfferRewards } from '../domain/stamp-card.rules';
import { type EntityManager } from 'typeorm';
import { type DirectoryClient } from '../clients/directory.client';
import { availablePoints, expireDueLots, refuseBalanceOverflow, settleClawbacks } from './member-ledger';

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
              const original = await findTransaction(manager, originalId);
              if (!original || (!isAdmin(viewer) && original.partnerId !== viewer.partnerId)) throw notFound('Transaction');
              if (original.kind !== 'EARN' && original.kind !== 'REDEEM') {
                throw badInput('transactionId', 'only earns and redemptions can be reversed');
              }
              if (!original.memberId || !original.partnerId) throw new Error(`transaction ${original.id} lacks a member or partner`);
              const account = await lockMemberAccount(manager, original.memberId);
              if (!account) throw new Error(`member account of ${original.memberId} vanished`);
              if (await isReversed(manager, original.id)) throw new AppError('ALREADY_FINALIZED');

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
                // Points the coalition's marketing budget paid for (coalition-wide campaigns) go back to it first.
                const coalitionPaid = (await awardsOf(manager, [original.id])).get(original.id)?.filter((a) => a.fundedBy === null).reduce((n, a) => n + a.points, 0n) ?? 0n;
                const back = fromMember + fate.expired;
                const toCoalition = coalitionPaid < back ? coalitionPaid : back;
                const marketing = toCoalition > 0n ? await ensureAccount(manager, 'COALITION_MARKETING', null) : null;
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
                if (original.blockDrawn) await returnToPrepaidBlock(manager, original.partnerId, back - toCoalition);
                await post(manager, transactionId, [
                  { accountId: account.id, amount: -fromMember },
                  ...(breakage ? [{ accountId: breakage, amount: -fate.expired }] : []),
                  { accountId: issued, amount: back - toCoalition },
                  ...(marketing ? [{ accountId: marketing, amount: toCoalition }] : []),
                ]);
                await consumeLots(manager, transactionId, account.id, fromMember, { firstFromTransaction: original.id });
                // The refunded purchase no longer used the offers it applied: the member may use them again.
                await returnOfferUses(manager, original.memberId, original.id);
                // The refunded earn no longer places the member in a tier.
                await removeQualifying(manager, original.memberId, original.createdAt, points);
                // Its stamps come back off the cards; rewards of cards no longer filled that another earn gave are owed back.
                const owedRewards = await takeBackStamps(manager, original.memberId, original.id);
                if (owed > 0n) {
                  await recordClawback(manager, { accountId: account.id, partnerId: original.partnerId, reversalTransactionId: transactionId, points: owed });
                }
                if (owedRewards > 0n) {
                  await recordClawback(manager, { accountId: account.id, partnerId: original.partnerId, reversalTransactionId: transactionId, points: owedRewards });
                  await settleClawbacks(manager, account.id, original.memberId);
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

/**
 * Takes a refunded earn's stamps back off the member's cards (the caller holds the member's lock) and
 * answers the reward points now owed back: rewards of cards no longer filled that a later earn gave (the
 * refunded earn's own rewards return with its points). For a card rewarding an offer, the activations of
 * the cards no longer filled are voided (the refunded earn's own first), and what those already used gave
 * is owed back (see takeBackOfferRewards). Stamp cards are the earning partner's own.
 */
async function takeBackStamps(manager: EntityManager, memberId: string, earnId: string): Promise<bigint> {
  let owed = 0n;
  for (const e of await stampEventsOf(manager, earnId)) {
    const { after, clawbackFills, takenBack } = returnStamps(e, e.progress, e);
    await setProgress(manager, memberId, e.cardId, after);
    if (e.rewardPoints !== null) owed += BigInt(clawbackFills) * e.rewardPoints;
    if (e.rewardsOffer && takenBack > 0) {
      const { voided, clawback } = takeBackOfferRewards(await grantedActivations(manager, memberId, e.cardId, earnId), takenBack);
      await voidActivations(manager, voided);
      owed += clawback;
    }
  }
  return owed;
}
