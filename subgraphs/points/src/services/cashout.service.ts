import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  currencyExponent,
  formatMoney,
  idempotent,
  notFound,
  recordAudit,
  requireAdmin,
  requireMember,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../../lib/src';
import { type DirectoryClient } from '../clients/directory.client';
import { cashoutAmountMinor, pointValueMicros, validIban } from '../domain/cashout.rules';
import { pain001Xml } from '../domain/pain001';
import {
  batchCashouts,
  cashoutByTransaction,
  cashoutsByStatus,
  claimPendingCashouts,
  findBatch,
  insertBatch,
  insertCashout,
  markBatched,
  markBatchSettled,
  markFailed,
  markPaid,
  memberCashouts,
  type BatchRow,
  type CashoutRow,
  type CashoutStatus,
} from '../persistence/cashouts.repository';
import { accountsOwingClawbacks, lockMemberAccountsById } from '../persistence/issuance.repository';
import { ensureAccount, insertTransaction, lockMemberAccount, post } from '../persistence/ledger.repository';
import { consumeLots, restoreLots } from '../persistence/lots.repository';
import { clawbackPartners } from '../persistence/clawbacks.repository';
import { lockFunding } from '../persistence/funding.repository';
import { type LedgerConfig } from './ledger.config';
import { availablePoints, expireDueLots, refuseBalanceOverflow, settleClawbacks } from './member-ledger';

export interface RequestCashoutInput {
  points: number;
  iban: string;
  idempotencyKey: string;
}

/** The most payouts one pain.001 file carries. */
export const MAX_BATCH_PAYOUTS = 1_000;

/**
 * Cashback: a member turns points into a bank transfer, the operator pays them in batches.
 * - requestCashout (the member): at least CASHOUT_MIN_POINTS (CASHOUT_BELOW_MINIMUM), a valid IBAN, enough
 *   available points (INSUFFICIENT_POINTS). The points leave at once in a CASHOUT transaction drawn on the
 *   member's lots oldest first, like any spend (so each point's issuer is known), into the coalition's
 *   cashout account, priced at CASHOUT_POINT_VALUE: settlement treats them as points the coalition honoured.
 * - createPayoutBatch (admin): the pending cashouts (up to 1,000, oldest first) become one batch whose
 *   pain.001 file the operator downloads (PayoutBatch.creditTransferXml; GET /payouts/{id}/pain.001.xml).
 * - settlePayoutBatch (admin): the batch was paid, or failed, or paid except some payouts the bank returned;
 *   each failed payout gives its points back in a CASHOUT_RETURN to the lots they came from, once.
 * Every mutation is idempotent by key and audited.
 */
export class CashoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
    private readonly config: LedgerConfig,
  ) {}

  async request(viewer: Viewer, input: RequestCashoutInput, requestId: string): Promise<CashoutRow> {
    const memberId = requireMember(viewer);
    const points = BigInt(validate.points('points', input.points));
    const coalition = this.config.coalition;
    if (points < BigInt(coalition.cashoutMinimumPoints)) {
      throw new AppError('CASHOUT_BELOW_MINIMUM', `A cashout takes at least ${coalition.cashoutMinimumPoints} points`, { minimum: coalition.cashoutMinimumPoints });
    }
    const iban = validIban(input.iban);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'requestCashout', key: input.idempotencyKey, input: { ...input, iban } };
    const replay = await storedResult<{ transactionId: string }>(this.dataSource.manager, request);
    if (replay) return (await cashoutByTransaction(this.dataSource.manager, replay.transactionId))!;

    const holderName = (await this.directory.members.ownDisplayName(viewer, requestId)) ?? '';
    if (!holderName) throw notFound('Member');
    const amountMinor = cashoutAmountMinor(points, pointValueMicros(coalition.cashoutPointValue), currencyExponent(coalition.currency));
    const outcome = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        const locked = await lockMemberAccount(manager, memberId);
        if (!locked) throw new AppError('INSUFFICIENT_POINTS');
        // Expired points are never cashed out: they go to breakage first, as before any spend.
        await expireDueLots(manager, locked.id, memberId);
        if ((await availablePoints(manager, locked.id)) < points) throw new AppError('INSUFFICIENT_POINTS');
        const cashoutAccount = await ensureAccount(manager, 'COALITION_CASHOUT', null);
        const written = await insertTransaction(manager, {
          kind: 'CASHOUT',
          memberId,
          reference: `cashout to ${iban.slice(0, 4)}…${iban.slice(-4)}`,
          points: -points,
          unitPrice: coalition.cashoutPointValue,
          priceCurrency: coalition.currency,
        });
        await post(manager, written.id, [
          { accountId: locked.id, amount: -points },
          { accountId: cashoutAccount, amount: points },
        ]);
        await consumeLots(manager, written.id, locked.id, points);
        const cashout = await insertCashout(manager, {
          memberId,
          transactionId: written.id,
          points,
          pointValue: coalition.cashoutPointValue,
          amountMinor,
          currency: coalition.currency,
          iban,
          holderName: holderName.slice(0, 70),
        });
        await recordAudit(manager, viewer, cashout.id);
        return { transactionId: written.id };
      }),
    );
    return (await cashoutByTransaction(this.dataSource.manager, outcome.result.transactionId))!;
  }

  /** The admin: cashouts in a state (default PENDING), oldest first. */
  async list(viewer: Viewer, status: CashoutStatus, first: number): Promise<CashoutRow[]> {
    requireAdmin(viewer);
    return cashoutsByStatus(this.dataSource.manager, status, Math.min(Math.max(first, 1), MAX_BATCH_PAYOUTS));
  }

  /** The member's own cashouts, newest first. */
  async mine(viewer: Viewer, first: number): Promise<CashoutRow[]> {
    return memberCashouts(this.dataSource.manager, requireMember(viewer), Math.min(Math.max(first, 1), 100));
  }

  async createBatch(viewer: Viewer, input: { idempotencyKey: string }): Promise<BatchRow> {
    requireAdmin(viewer);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'createPayoutBatch', key: input.idempotencyKey, input: {} };
    const outcome = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        const pending = await claimPendingCashouts(manager, MAX_BATCH_PAYOUTS);
        if (pending.length === 0) throw badInput('cashouts', 'there are no pending cashouts to pay');
        const currency = pending[0].currency;
        const same = pending.filter((c) => c.currency === currency);
        const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
        const batch = await insertBatch(manager, {
          messageId: `CHUB-${stamp}-${randomBytes(4).toString('hex')}`,
          currency,
          payouts: same.length,
          totalMinor: same.reduce((sum, c) => sum + BigInt(c.amount_minor), 0n),
          createdBy: viewer.subject,
        });
        await markBatched(manager, same.map((c) => c.id), batch.id);
        await recordAudit(manager, viewer, batch.id);
        return { batchId: batch.id };
      }),
    );
    return (await findBatch(this.dataSource.manager, outcome.result.batchId))!;
  }

  async batch(viewer: Viewer, batchId: string): Promise<BatchRow | null> {
    requireAdmin(viewer);
    if (!validate.isUuid(batchId)) return null;
    return findBatch(this.dataSource.manager, batchId.toLowerCase());
  }

  async batchCashouts(batchId: string): Promise<CashoutRow[]> {
    return batchCashouts(this.dataSource.manager, batchId);
  }

  /** The batch as an ISO 20022 pain.001.001.03 credit-transfer file, the coalition's account as debtor. */
  async creditTransferXml(batch: BatchRow): Promise<string> {
    const cashouts = await batchCashouts(this.dataSource.manager, batch.id);
    const amount = (minor: string) => formatMoney({ minor: BigInt(minor), currency: batch.currency }).amount;
    return pain001Xml({
      messageId: batch.message_id,
      createdAt: batch.created_at,
      executionDate: batch.created_at.toISOString().slice(0, 10),
      currency: batch.currency,
      debtor: this.config.coalition.debtor,
      controlSum: amount(batch.total_minor),
      payouts: cashouts.map((c) => ({
        endToEndId: c.id.replace(/-/g, ''),
        amount: amount(c.amount_minor),
        creditorName: c.holder_name,
        creditorIban: c.iban,
        remittance: `Cashback ${c.points} points ${c.id.slice(0, 8)}`,
      })),
    });
  }

  /**
   * Marks a batch PAID (optionally except `failedCashoutIds`, returned by the bank) or FAILED (every payout).
   * A failed payout's points come back to the member in a CASHOUT_RETURN, restored to the lots they were
   * drawn from (expired ones then expire as usual). A batch is settled once (ALREADY_FINALIZED after).
   */
  async settle(viewer: Viewer, input: { batchId: string; outcome: 'PAID' | 'FAILED'; failedCashoutIds?: string[] | null; idempotencyKey: string }): Promise<BatchRow> {
    requireAdmin(viewer);
    const batchId = validate.uuid('batchId', input.batchId);
    validateIdempotencyKey(input.idempotencyKey);
    const failedIds = new Set((input.failedCashoutIds ?? []).map((id) => validate.uuid('failedCashoutIds', id)));
    if (input.outcome === 'FAILED' && failedIds.size > 0) throw badInput('failedCashoutIds', 'only with PAID: a FAILED batch fails every payout');
    const request = { caller: callerOf(viewer), operation: 'settlePayoutBatch', key: input.idempotencyKey, input };
    await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        const batch = await findBatch(manager, batchId, true);
        if (!batch) throw notFound('PayoutBatch');
        if (batch.status === 'SETTLED') throw new AppError('ALREADY_FINALIZED', 'This payout batch was already marked paid or failed');
        const cashouts = await batchCashouts(manager, batchId);
        for (const id of failedIds) if (!cashouts.some((c) => c.id === id)) throw badInput('failedCashoutIds', `${id} is not a payout of this batch`);
        const failed = cashouts.filter((c) => input.outcome === 'FAILED' || failedIds.has(c.id));
        await markPaid(manager, cashouts.filter((c) => !failed.includes(c)).map((c) => c.id));
        if (failed.length > 0) {
          const accounts = await lockMemberAccountsById(manager, failed.map((c) => c.member_id), { allowClosed: true });
          await lockFunding(manager, await clawbackPartners(manager, [...accounts.values()]));
          const cashoutAccount = await ensureAccount(manager, 'COALITION_CASHOUT', null);
          for (const c of failed) {
            const accountId = accounts.get(c.member_id)!;
            const back = await insertTransaction(manager, {
              kind: 'CASHOUT_RETURN',
              memberId: c.member_id,
              reference: `cashout returned (${batch.message_id})`,
              points: BigInt(c.points),
              reverses: c.transaction_id,
              unitPrice: c.point_value,
              priceCurrency: c.currency,
            });
            await post(manager, back.id, [
              { accountId: cashoutAccount, amount: -BigInt(c.points) },
              { accountId, amount: BigInt(c.points) },
            ]).catch(refuseBalanceOverflow('failedCashoutIds'));
            await restoreLots(manager, back.id, c.transaction_id);
            await markFailed(manager, c.id, back.id);
          }
          const owing = await accountsOwingClawbacks(manager, [...accounts.values()]);
          for (const [memberId, accountId] of [...accounts].sort(([, a], [, b]) => (a < b ? -1 : 1))) {
            if (owing.has(accountId)) await settleClawbacks(manager, accountId, memberId);
          }
        }
        await markBatchSettled(manager, batchId);
        await recordAudit(manager, viewer, batchId);
        return { batchId };
      }),
    );
    return (await findBatch(this.dataSource.manager, batchId))!;
  }
}
