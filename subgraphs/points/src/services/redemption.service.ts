import { type DataSource, type EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  idempotent,
  notFound,
  recordAudit,
  recordAuditEvent,
  requireMember,
  requirePartner,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../../lib/src';
import { generateRedemptionCode, hashRedemptionCode, normalizeRedemptionCode, REDEMPTION_CODE_DIGITS } from '../domain/redemption-code.rules';
import { HoldEntity, type TransactionEntity } from '../persistence/ledger.entity';
import { findHold, insertHold, lockPartnerHold, markHoldCaptured, markHoldVoided } from '../persistence/holds.repository';
import { insertRedemptionCode, recordRedemptionCodeFailure, useRedemptionCode } from '../persistence/redemption-code.repository';
import { ensureAccount, insertTransaction, loadTransaction, lockMemberAccount, post } from '../persistence/ledger.repository';
import { consumeLots } from '../persistence/lots.repository';
import { recordOfferRedemption, redeemedOffers } from '../persistence/offer-activations.repository';
import { qualifyingPoints, readTiers } from '../persistence/tiers-campaigns.repository';
import { pointsPriceProblem } from '../domain/offer.rules';
import { withMembershipFloor } from '../domain/membership.rules';
import { effectiveTier } from '../domain/tier.rules';
import { readTierKeepers } from '../persistence/tier-status.repository';
import { activePerks } from '../persistence/memberships.repository';
import { memberAccountClosed } from '../persistence/member-closings.repository';
import { type DirectoryClient } from '../clients/directory.client';
import { type LedgerConfig } from './ledger.config';
import { type LedgerMetrics } from './ledger.metrics';
import { availablePoints, expireDueLots, settleClawbacks } from './member-ledger';

export interface RedeemInput {
  memberId: string;
  points: number;
  redemptionCode: string;
  reference: string;
  idempotencyKey: string;
  /** redeemPoints only: the partner's POINTS_PRICE offer this redemption pays for; `points` must be its price. */
  offerId?: string | null;
}

/**
 * Spending points at a partner: one-time redemption codes the member creates, direct redemptions (also of
 * the partner's POINTS_PRICE offers: a redemption of the offer's price, OFFER_NOT_AVAILABLE when it is not
 * the partner's own published offer in its window or the member is below its lowest tier), and the till's two-phase flow (authorize a hold, then capture all or part of it, or void it). Every
 * spend locks the member's account row, so concurrent spends of the same points serialise and the
 * balance check cannot race; the database's CHECK (balance >= pending) backs it. Wrong codes are counted
 * (`guardedSpend`): too many for a member void its live codes, too many from a partner stop its checks.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, INSUFFICIENT_POINTS, REDEMPTION_CODE_INVALID,
 * ALREADY_FINALIZED, HOLD_EXPIRED, PARTNER_SUSPENDED, OFFER_NOT_AVAILABLE, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE,
 * RATE_LIMITED (the partner's wrong codes reached the limit).
 */
export class RedemptionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
    private readonly config: LedgerConfig,
    private readonly metrics?: LedgerMetrics,
  ) {}

  /** A single-use code for the calling member, valid for a few minutes, optionally capped. */
  async createCode(viewer: Viewer, input: { maxPoints?: number | null }): Promise<{ code: string; expiresAt: Date }> {
    const memberId = requireMember(viewer);
    const maxPoints = input.maxPoints == null ? null : validate.points('maxPoints', input.maxPoints, 1);
    // A code is no write to the ledger, but a closed member has nothing to spend: refused up front.
    if (await memberAccountClosed(this.dataSource.manager, memberId)) throw new AppError('MEMBER_CLOSED');
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = generateRedemptionCode();
      const expiresAt = await insertRedemptionCode(this.dataSource.manager, {
        memberId,
        codeHash: hashRedemptionCode(memberId, code),
        maxPoints,
        ttlSeconds: this.config.redemptionCodeTtlSeconds,
      });
      if (expiresAt) return { code, expiresAt };
    }
    throw new Error('could not allocate a unique redemption code');
  }

  async redeem(viewer: Viewer, input: RedeemInput, requestId: string): Promise<TransactionEntity> {
    const { partnerId, memberId, points, reference, request } = this.validateSpend(viewer, input, 'redeemPoints');
    const replay = await storedResult<{ transactionId: string }>(this.dataSource.manager, request);
    if (replay) return loadTransaction(this.dataSource.manager, replay.transactionId);
    const offerId = input.offerId == null ? null : validate.uuid('offerId', input.offerId);
    const [partner, offer] = await Promise.all([
      this.directory.requireActiveCallingPartner(viewer, requestId),
      offerId ? this.directory.partners.offer(viewer, offerId, requestId) : Promise.resolve(null),
    ]);
    if (offerId) {
      // Checked before anything is spent or any code used; the standing is the member's as the earn prices it.
      const manager = this.dataSource.manager;
      const [tiers, qualifying, keepers, perks] = await Promise.all([readTiers(manager), qualifyingPoints(manager, memberId), readTierKeepers(manager, memberId), activePerks(manager, memberId)]);
      // Retention, an override and a paid membership's tier floor count, as in the earn.
      const held = effectiveTier(tiers, qualifying, keepers.record, keepers.override, new Date());
      const problem = pointsPriceProblem(offer, partnerId, new Date(), tiers, withMembershipFloor(tiers, held, qualifying, perks?.tierFloor ?? null, null).tier);
      if (problem) throw new AppError('OFFER_NOT_AVAILABLE', `Offer not available: ${problem}`);
      if (BigInt(offer?.points ?? 0) !== points) throw badInput('points', `must be the offer's price (${offer?.points})`);
    }
    let written: TransactionEntity | undefined; // as inserted, every column: the answer needs no second read
    const { result, replayed } = await this.guardedSpend(viewer, memberId, partnerId, (useCode) =>
      this.dataSource.transaction(async (manager) =>
        idempotent(manager, request, async () => {
          await useCode(manager, input.redemptionCode, points);
          const account = await this.lockFunds(manager, memberId, points);
          const honoured = await ensureAccount(manager, 'PARTNER_HONOURED', partnerId);
          // The reimbursement in force now prices this redemption in every settlement statement.
          written = await insertTransaction(manager, {
            kind: 'REDEEM',
            partnerId,
            memberId,
            reference,
            points: -points,
            unitPrice: partner.reimbursement,
            priceCurrency: partner.currency,
          });
          const transactionId = written.id;
          await post(manager, transactionId, [
            { accountId: account, amount: -points },
            { accountId: honoured, amount: points },
          ]);
          await consumeLots(manager, transactionId, account, points);
          if (offerId) await recordOfferRedemption(manager, { transactionId, offerId, memberId, partnerId, points });
          await recordAudit(manager, viewer, transactionId);
          return { transactionId };
        }),
      ),
    );
    if (!replayed && written) this.metrics?.redeemed('redeem', -BigInt(written.points));
    return !replayed && written ? written : loadTransaction(this.dataSource.manager, result.transactionId);
  }

  /** Places a hold: the points leave `available` at once and are spent only when captured. */
  async authorize(viewer: Viewer, input: RedeemInput, requestId: string): Promise<HoldEntity> {
    const { partnerId, memberId, points, reference, request } = this.validateSpend(viewer, input, 'authorizeRedemption');
    // The hold as authorized is stored with the key: a replay answers with it, not the hold's state now.
    const replay = await storedResult<{ hold: HoldSnapshot }>(this.dataSource.manager, request);
    if (replay) return fromSnapshot(replay.hold);
    await this.directory.requireActiveCallingPartner(viewer, requestId);
    const { result } = await this.guardedSpend(viewer, memberId, partnerId, (useCode) =>
      this.dataSource.transaction(async (manager) =>
        idempotent(manager, request, async () => {
          await useCode(manager, input.redemptionCode, points);
          const account = await this.lockFunds(manager, memberId, points);
          const hold = await insertHold(manager, { accountId: account, memberId, partnerId, points, reference, ttlSeconds: this.config.holdTtlSeconds });
          await recordAudit(manager, viewer, hold.id);
          return { hold: toSnapshot(hold) };
        }),
      ),
    );
    return fromSnapshot(result.hold);
  }

  /** Posts all of a hold, or part of it (`points`), and releases the rest. */
  async capture(
    viewer: Viewer,
    input: { holdId: string; points?: number | null; idempotencyKey: string },
    requestId: string,
  ): Promise<{ hold: HoldEntity; transaction: TransactionEntity }> {
    const partnerId = requirePartner(viewer, 'points:redeem');
    const holdId = validate.uuid('holdId', input.holdId);
    const wanted = input.points == null ? null : BigInt(validate.points('points', input.points, 1));
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'captureRedemption', key: input.idempotencyKey, input };
    const replay = await storedResult<{ holdId: string; transactionId: string }>(this.dataSource.manager, request);
    const partner = replay ? null : await this.directory.requireActiveCallingPartner(viewer, requestId);
    let written: TransactionEntity | undefined; // as inserted: the answer needs no second read
    const { result, replayed } =
      replay !== null
        ? { result: replay, replayed: true }
        : await this.dataSource.transaction(async (manager) =>
            idempotent(manager, request, async () => {
              const hold = await this.lockOpenHold(manager, holdId, partnerId);
              const points = wanted ?? BigInt(hold.points);
              if (points > BigInt(hold.points)) throw badInput('points', `must be at most the ${hold.points} points held`);
              await lockMemberAccount(manager, hold.memberId);
              const honoured = await ensureAccount(manager, 'PARTNER_HONOURED', partnerId);
              written = await insertTransaction(manager, {
                kind: 'REDEEM',
                partnerId,
                memberId: hold.memberId,
                reference: hold.reference,
                points: -points,
                holdId,
                unitPrice: partner?.reimbursement,
                priceCurrency: partner?.currency,
              });
              const transactionId = written.id;
              // Capturing releases the hold's points from `pending` (the hold trigger) before they are
              // posted, so the balance never dips under what is still held.
              await markHoldCaptured(manager, holdId, points, transactionId);
              await post(manager, transactionId, [
                { accountId: hold.accountId, amount: -points },
                { accountId: honoured, amount: points },
              ]);
              await consumeLots(manager, transactionId, hold.accountId, points);
              // The uncaptured rest is available again: it repays any clawback first.
              await settleClawbacks(manager, hold.accountId, hold.memberId);
              await recordAudit(manager, viewer, holdId);
              return { holdId, transactionId };
            }),
          );
    if (!replayed && written) this.metrics?.redeemed('capture', -BigInt(written.points));
    const transaction = !replayed && written ? written : await loadTransaction(this.dataSource.manager, result.transactionId);
    return { hold: await this.loadHold(result.holdId), transaction };
  }

  /**
   * Releases a hold without spending anything. Allowed to a suspended partner: it moves no points and
   * only gives the member back what the partner held (the hold would expire anyway).
   */
  async void(viewer: Viewer, input: { holdId: string; idempotencyKey: string }): Promise<HoldEntity> {
    const partnerId = requirePartner(viewer, 'points:redeem');
    const holdId = validate.uuid('holdId', input.holdId);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'voidRedemption', key: input.idempotencyKey, input };
    await this.dataSource.transaction(async (manager) =>
      idempotent(manager, request, async () => {
        const hold = await this.lockOpenHold(manager, holdId, partnerId);
        await lockMemberAccount(manager, hold.memberId);
        await markHoldVoided(manager, holdId);
        await settleClawbacks(manager, hold.accountId, hold.memberId);
        await recordAudit(manager, viewer, holdId);
        return { holdId };
      }),
    );
    return this.loadHold(holdId);
  }

  /** The POINTS_PRICE offer each of these redemptions paid for (transactions the caller may already see). */
  async redeemedOffers(transactionIds: readonly string[]): Promise<Map<string, string>> {
    return redeemedOffers(this.dataSource.manager, transactionIds);
  }

  /** A hold the viewer may see: the partner's own, or any for the admin; null otherwise. */
  async hold(viewer: Viewer, id: string): Promise<HoldEntity | null> {
    const hold = await findHold(this.dataSource.manager, validate.uuid('id', id));
    if (!hold) return null;
    return viewer.scopes.has('admin') || hold.partnerId === viewer.partnerId ? hold : null;
  }

  private validateSpend(viewer: Viewer, input: RedeemInput, operation: string) {
    const partnerId = requirePartner(viewer, 'points:redeem');
    const memberId = validate.uuid('memberId', input.memberId);
    const points = BigInt(validate.points('points', input.points, 1));
    const reference = validate.text('reference', input.reference, 255);
    validateIdempotencyKey(input.idempotencyKey);
    return { partnerId, memberId, points, reference, request: { caller: callerOf(viewer), operation, key: input.idempotencyKey, input } };
  }

  /**
   * Runs a spend that checks the member's code with the `useCode` it is handed (in the spend's transaction:
   * a failed spend leaves the code unused). A wrong code is then recorded in a transaction of its own, as
   * the spend's rolls back; the member's limit voids their live codes and leaves an audit row
   * (`redemptionCodeLockout`, target the member). A malformed code is not counted: it can match nothing.
   * The partner past its limit gets RATE_LIMITED before any code is looked at.
   */
  private async guardedSpend<R>(viewer: Viewer, memberId: string, partnerId: string, spend: (useCode: CodeUser) => Promise<R>): Promise<R> {
    const limits = this.config.redemptionCodeFailures;
    let wrong = false;
    const useCode: CodeUser = async (manager, code, points) => {
      const normalized = normalizeRedemptionCode(code);
      if (!new RegExp(`^\\d{${REDEMPTION_CODE_DIGITS}}$`).test(normalized)) throw new AppError('REDEMPTION_CODE_INVALID');
      const check = await useRedemptionCode(manager, { memberId, partnerId, codeHash: hashRedemptionCode(memberId, normalized), points }, limits);
      if (check === 'PARTNER_LIMITED') throw new AppError('RATE_LIMITED', 'Too many wrong redemption codes from this partner; retry later');
      if (check === 'INVALID') {
        wrong = true;
        throw new AppError('REDEMPTION_CODE_INVALID');
      }
    };
    try {
      return await spend(useCode);
    } catch (error) {
      if (wrong) {
        await this.dataSource.transaction(async (manager) => {
          const lockout = await recordRedemptionCodeFailure(manager, { memberId, partnerId }, limits);
          if (lockout) await recordAuditEvent(manager, viewer, 'redemptionCodeLockout', memberId);
        });
      }
      throw error;
    }
  }

  /**
   * Locks the member's account, expires what is due (expired points are never spent or held), and
   * checks `points` are available; returns the account id.
   */
  private async lockFunds(manager: EntityManager, memberId: string, points: bigint): Promise<string> {
    const account = await lockMemberAccount(manager, memberId);
    if (!account) throw new AppError('INSUFFICIENT_POINTS');
    await expireDueLots(manager, account.id, memberId);
    if ((await availablePoints(manager, account.id)) < points) throw new AppError('INSUFFICIENT_POINTS');
    return account.id;
  }

  /** Locks a hold of this partner that is still open and unexpired, or says why it is not. */
  private async lockOpenHold(manager: EntityManager, holdId: string, partnerId: string): Promise<HoldEntity> {
    const row = await lockPartnerHold(manager, holdId, partnerId);
    if (!row) throw notFound('Hold');
    if (row.status === 'EXPIRED' || (row.status === 'OPEN' && row.expired)) throw new AppError('HOLD_EXPIRED');
    if (row.status !== 'OPEN') throw new AppError('ALREADY_FINALIZED');
    return Object.assign(new HoldEntity(), { id: row.id, accountId: row.accountId, memberId: row.memberId, points: row.points, reference: row.reference });
  }

  async loadHold(id: string): Promise<HoldEntity> {
    const hold = await findHold(this.dataSource.manager, id);
    if (!hold) throw notFound('Hold');
    return hold;
  }
}

/** Checks and uses the member's code inside a spend's transaction (see `guardedSpend`). */
type CodeUser = (manager: EntityManager, code: string, points: bigint) => Promise<void>;

/** A hold as JSON, for the idempotency record. */
type HoldSnapshot = Omit<HoldEntity, 'createdAt' | 'expiresAt' | 'finalizedAt'> & { createdAt: string; expiresAt: string; finalizedAt: string | null };

function toSnapshot(hold: HoldEntity): HoldSnapshot {
  return { ...hold, createdAt: hold.createdAt.toISOString(), expiresAt: hold.expiresAt.toISOString(), finalizedAt: hold.finalizedAt?.toISOString() ?? null };
}

function fromSnapshot(snapshot: HoldSnapshot): HoldEntity {
  return Object.assign(new HoldEntity(), {
    ...snapshot,
    createdAt: new Date(snapshot.createdAt),
    expiresAt: new Date(snapshot.expiresAt),
    finalizedAt: snapshot.finalizedAt ? new Date(snapshot.finalizedAt) : null,
  });
}
