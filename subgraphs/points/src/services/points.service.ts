import { randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  AppError,
  Batcher,
  badInput,
  callerOf,
  currencyExponent,
  forbidden,
  claimCteParams,
  isAdmin,
  lostClaim,
  isSelf,
  notFound,
  parseMoney,
  parseScaled,
  RATE_SCALE,
  requirePartner,
  returnAuditRow,
  storedResult,
  takeAuditRow,
  validate,
  validateIdempotencyKey,
  MAX_PAGE_SIZE,
  type IdempotentRequest,
  type MoneyValue,
  type Viewer,
} from '../../../../lib/src';
import { pointsByFunder, type Award } from '../domain/award.rules';
import { decideEarn } from '../domain/earn-decision.rules';
import { awardsOf } from '../persistence/awards.repository';
import { writeEarns, type EarnIssuer, type EarnWrite } from '../persistence/earn-write.repository';
import { basketsOf, storeTotals, type Basket, type StoreTotals } from '../persistence/baskets.repository';
import { basketProblem, type PurchaseLine } from '../domain/basket.rules';
import { MAX_POINTS_PER_TRANSACTION } from '../domain/earn.rules';
import { effectiveTier, standing, type EffectiveTier, type Tier, type TierStanding } from '../domain/tier.rules';
import { readTierKeepers } from '../persistence/tier-status.repository';
import { withMembershipFloor } from '../domain/membership.rules';
import { activePerks } from '../persistence/memberships.repository';
import { type AccountEntity, type TransactionEntity } from '../persistence/ledger.entity';
import {
  claimAndLockMember,
  claimAndLockMembers,
  releaseClaims,
  type LockedAccount,
  ensureAccount,
  findTransaction,
  loadTransaction,
  memberAccounts,
  transactionsNewestFirst,
} from '../persistence/ledger.repository';
import { expiringPoints } from '../persistence/lots.repository';
import { qualifyingPoints, type PricingContext } from '../persistence/tiers-campaigns.repository';
import { type FundingMode } from '../persistence/funding.repository';
import { type PartnerFacts } from '../clients/partners.client';
import { type DirectoryClient } from '../clients/directory.client';
import { drawPrepaidBlock } from './funding.service';
import { refuseBalanceOverflow, settleClawbacks } from './member-ledger';
import { type LedgerConfig } from './ledger.config';
import { type LedgerMetrics } from './ledger.metrics';
import { type ProgrammeService } from './programme.service';

/** An earn found no account for its member: rolled back, to ask the members subgraph without holding locks. */
class MemberAccountMissing extends Error {}

/** What an earn answers: the transaction as stored and why it gave its points. */
export interface EarnOutcome {
  transaction: TransactionEntity;
  awards: Award[];
}

/** An earn validated and priced by its partner's facts, waiting to be written (alone or in a batch). */
interface EarnJob {
  viewer: Viewer;
  requestId: string;
  request: IdempotentRequest;
  claimParams: unknown[];
  transactionId: string;
  partnerId: string;
  memberId: string;
  reference: string;
  purchase: MoneyValue;
  lines: readonly PurchaseLine[] | null;
  storeId: string | null;
  partner: PartnerFacts;
  earnRateScaled: bigint;
}

/** What planEarn decided for one earn: what to write, the awards it answers, the partner's issuing account. */
interface EarnPlan {
  write: EarnWrite;
  awards: Award[];
  issuedAccount: string;
}

/** Group commit of earns (EARN_BATCH_SLOTS, EARN_BATCH_MAX; see lib's Batcher and PointsService.earnBatch). */
export interface EarnBatching {
  /** Batches written at once; 0: every earn in a transaction of its own. */
  slots: number;
  /** The most earns one batch takes. */
  maxSize: number;
  /** The fewest earns a batch takes while another is being written (lib's Batcher, minBesideAnother). */
  minParallel?: number;
}

export interface TransactionPage {
  rows: TransactionEntity[];
  hasNextPage: boolean;
}

export interface EarnInput {
  memberId: string;
  purchase: { amount: string; currency: string };
  reference: string;
  idempotencyKey: string;
  storeId?: string | null;
  lines?: { sku: string; category?: string | null; quantity: number; amount: { amount: string; currency: string } }[] | null;
}

/**
 * The points ledger: awards points as balanced postings, and reads balances and transactions.
 * Each earn records the issue price in force (settlement) and draws on a prepaid partner's block.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, PARTNER_SUSPENDED, PREPAID_BLOCK_EXHAUSTED, IDEMPOTENCY_KEY_REUSED,
 * IDEMPOTENCY_KEY_IN_USE.
 */
export class PointsService {
  /** Each partner's PARTNER_ISSUED account id, once an earn that used it has committed. */
  private readonly issuedAccounts = new Map<string, string>();
  /** The coalition's marketing budget account (one row, made by a migration): looked up once. */
  private marketingAccount: string | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
    private readonly programme: ProgrammeService,
    private readonly config: LedgerConfig,
    private readonly metrics?: LedgerMetrics,
    batching: EarnBatching = { slots: 0, maxSize: 1 },
  ) {
    this.batcher =
      batching.slots > 0 && batching.maxSize > 1
        ? new Batcher<EarnJob, EarnOutcome>({
            run: (jobs) => this.earnBatch(jobs),
            concurrency: batching.slots,
            maxSize: batching.maxSize,
            minBesideAnother: batching.minParallel,
            // One earn per member (a batch decides each on one snapshot) and per idempotency key.
            keys: (job) => [`member:${job.memberId}`, `key:${job.request.caller}:${job.request.key}`],
            alone: (job) => this.earnAlone(job),
          })
        : undefined;
  }

  private readonly batcher: Batcher<EarnJob, EarnOutcome> | undefined;

  /**
   * Who sees a member's points: the member and the admin all of them; a partner with members:lookup only
   * `available` (the contract's lookup view); anyone else nothing. Returns the view, or throws FORBIDDEN.
   */
  accountView(viewer: Viewer, memberId: string): 'full' | 'available' {
    if (isAdmin(viewer) || isSelf(viewer, memberId)) return 'full';
    if (viewer.partnerId && viewer.scopes.has('members:lookup')) return 'available';
    throw forbidden("Only the member, the admin and partners with members:lookup see a member's points");
  }

  async earn(viewer: Viewer, input: EarnInput, requestId: string): Promise<EarnOutcome> {
    const partnerId = requirePartner(viewer, 'points:earn');
    const memberId = validate.uuid('memberId', input.memberId);
    const purchase = parseMoney('purchase', input.purchase);
    const reference = validate.text('reference', input.reference, 255);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'earnPoints', key: input.idempotencyKey, input };

    // A retry is answered from the stored result before any call to other subgraphs. While the partner's
    // facts are kept (and it is active), no call is needed: the key's claim in the transaction answers a
    // retry as well, one round trip fewer for every new earn.
    const kept = this.directory.partners.keptCallingPartner(viewer);
    if (kept?.status !== 'ACTIVE') {
      const replay = await storedResult<{ transactionId: string }>(this.dataSource.manager, request);
      if (replay) return this.withAwards(await loadTransaction(this.dataSource.manager, replay.transactionId));
    }

    const lines = input.lines == null ? null : parseLines(input.lines, purchase);
    const storeId = input.storeId == null ? null : validate.uuid('storeId', input.storeId);
    const [partner, storeOk] = await Promise.all([
      this.directory.requireActiveCallingPartner(viewer, requestId),
      storeId ? this.directory.partners.ownActiveStore(viewer, partnerId, storeId, requestId) : Promise.resolve(true),
    ]);
    if (purchase.currency !== partner.currency) {
      throw badInput('purchase.currency', `must be the partner's currency (${partner.currency})`);
    }
    if (!storeOk) {
      // A store closed since the original earn must not fail its retry: answered from the stored result.
      const replay = kept?.status === 'ACTIVE' ? await storedResult<{ transactionId: string }>(this.dataSource.manager, request) : null;
      if (replay) return this.withAwards(await loadTransaction(this.dataSource.manager, replay.transactionId));
      throw badInput('storeId', 'is not an active store of this partner');
    }
    // The transaction's id is chosen now, so the key's claim stores the answer at once (nothing written after the effect).
    const transactionId = randomUUID();
    const job: EarnJob = {
      viewer,
      requestId,
      request,
      claimParams: claimCteParams(request, { transactionId }),
      transactionId,
      partnerId,
      memberId,
      reference,
      purchase,
      lines,
      storeId,
      partner,
      earnRateScaled: parseScaled('earnRate', partner.earnRate, RATE_SCALE),
    };
    return this.batcher ? this.batcher.submit(job) : this.earnAlone(job);
  }

  /**
   * One earn in a database transaction of its own. The member's account is locked first: nearly every earn
   * finds it. Only a member's first earn finds none; then the transaction is rolled back, the members
   * subgraph is asked whether the member exists and is active (never while holding locks), and the earn runs
   * again, creating the account. Also what a batch hands back (a member's first earn, a key already claimed,
   * a member owing clawbacks, a prepaid partner) and what runs when a batch fails as a whole.
   */
  private async earnAlone(job: EarnJob): Promise<EarnOutcome> {
    const { viewer, memberId, partnerId, request } = job;
    // The transaction as written answers the mutation (its insert returns every column): no read after commit.
    let written: { transaction: TransactionEntity; awards: Award[]; issuedAccount: string } | undefined;
    const write = (createMemberAccount: boolean) =>
      this.dataSource.transaction(async (manager): Promise<{ result: { transactionId: string }; replayed: boolean }> => {
        if (createMemberAccount) await ensureAccount(manager, 'MEMBER', memberId);
        // The key is claimed, and then the member's account locked, in one round trip. Earns of one member
        // serialise on that lock (tier, lots, offers, stamps and clawbacks are per member); a partner's own
        // account is never locked, so earns at one partner for different members run in parallel.
        const { claimed, account: locked } = await claimAndLockMember(manager, job.claimParams, memberId);
        if (!claimed) return { result: await lostClaim<{ transactionId: string }>(manager, request), replayed: true };
        if (!locked) throw new MemberAccountMissing();
        // Read after the lock (its own snapshot sees the member's earlier earns), with the funding locks: blocks
        // this earn may touch (its own, and those its clawback repayments refill), in partner order.
        const [pricing] = await this.programme.pricingContexts(manager, [{ partnerId, memberId, memberAccountId: locked.id }]);
        const plan = await this.planEarn(manager, job, locked.id, pricing);
        const [transaction] = await writeEarns(manager, [plan.write]).catch(refuseBalanceOverflow('purchase.amount'));
        written = { transaction, awards: plan.awards, issuedAccount: plan.issuedAccount };
        if (plan.write.transaction.points > 0n && locked.owesClawbacks) await settleClawbacks(manager, locked.id, memberId);
        return { result: { transactionId: job.transactionId }, replayed: false };
      });

    let outcome: Awaited<ReturnType<typeof write>>;
    try {
      outcome = await write(false);
    } catch (error) {
      if (!(error instanceof MemberAccountMissing)) throw error;
      if (!(await this.directory.memberIsActive(viewer, memberId, job.requestId))) throw notFound('Member');
      outcome = await write(true);
    }
    if (outcome.replayed || !written) return this.withAwards(await loadTransaction(this.dataSource.manager, outcome.result.transactionId));
    this.committed(partnerId, written);
    return { transaction: written.transaction, awards: written.awards };
  }

  /**
   * Earns of different members written together (group commit; see lib's Batcher): their keys claimed and
   * their accounts locked in one statement, all priced in one, decided one by one in domain code, and all
   * written in one (writeEarns), in one database transaction. An earn this path does not take (its key
   * already claimed, the member's first earn, a closed account, clawbacks owed, a prepaid partner, an earn
   * the rules refuse) has its claim released in the same transaction and runs on its own afterwards, where
   * it meets the same rules as ever; a batch that fails as a whole (any database error) rolls back and runs
   * every earn on its own. So a batch changes what an earn costs, never what it does.
   */
  private async earnBatch(jobs: readonly EarnJob[]): Promise<(EarnOutcome | Promise<EarnOutcome>)[]> {
    // A batch of one too: its lock waits are bounded as a batch's are (a member held by a long transaction must
    // not hold the slot, and every earn queued behind it, for longer than that); what it hands back runs alone.
    const alone = new Set<number>();
    const done = new Map<number, { transaction: TransactionEntity; awards: Award[]; issuedAccount: string }>();
    try {
      await this.dataSource.transaction(async (manager) => {
        const locks = await claimAndLockMembers(manager, jobs);
        const handedBack: EarnJob[] = [];
        const taken: number[] = [];
        locks.forEach((lock, i) => {
          if (!lock.claimed) alone.add(i);
          else if (!lock.account || lock.account.owesClawbacks || lock.account.closedBy) {
            alone.add(i);
            handedBack.push(jobs[i]);
          } else taken.push(i);
        });
        const accountOf = (i: number) => (locks[i].account as LockedAccount).id;
        const pricing = taken.length > 0 ? await this.programme.pricingContexts(manager, taken.map((i) => ({ partnerId: jobs[i].partnerId, memberId: jobs[i].memberId, memberAccountId: accountOf(i) }))) : [];
        const plans: { i: number; plan: EarnPlan }[] = [];
        for (const [k, i] of taken.entries()) {
          // A prepaid partner's block draws run one earn at a time, each on its own (PREPAID_BLOCK_EXHAUSTED is the earn's own answer).
          if (pricing[k].funding === 'PREPAID') {
            alone.add(i);
            handedBack.push(jobs[i]);
            continue;
          }
          try {
            plans.push({ i, plan: await this.planEarn(manager, jobs[i], accountOf(i), pricing[k]) });
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            alone.add(i);
            handedBack.push(jobs[i]);
          }
        }
        await releaseClaims(manager, handedBack);
        const written = plans.length > 0 ? await writeEarns(manager, plans.map((p) => p.plan.write)) : [];
        plans.forEach(({ i, plan }, k) => done.set(i, { transaction: written[k], awards: plan.awards, issuedAccount: plan.issuedAccount }));
      });
    } catch {
      // Any failure of the batch as a whole (a constraint, a lock wait past 1 s, a lost connection): nothing of
      // it was written (nor its audit rows), and each earn runs on its own, answering for itself.
      for (const job of jobs) returnAuditRow(job.viewer);
      this.metrics?.earnBatch(jobs.length, 0, true);
      return jobs.map((job) => this.earnAlone(job));
    }
    this.metrics?.earnBatch(jobs.length, done.size);
    return jobs.map((job, i) => {
      const written = done.get(i);
      if (!written || alone.has(i)) return this.earnAlone(job);
      this.committed(job.partnerId, written);
      return { transaction: written.transaction, awards: written.awards };
    });
  }

  /**
   * What one earn writes, decided in domain code from what was read under its member's lock: the awards of
   * every rule, who funds each share (the partner its awards, the coalition's marketing budget the
   * coalition-wide ones), a prepaid partner's block draw (in this transaction: the earn and the draw commit
   * together), and the accounts the shares are posted from.
   */
  private async planEarn(manager: EntityManager, job: EarnJob, memberAccount: string, pricing: PricingContext & { funding: FundingMode | null }): Promise<EarnPlan> {
    const { partnerId, purchase, partner } = job;
    const decision = decideEarn({
      partnerId,
      purchaseMinor: purchase.minor,
      currencyExponent: currencyExponent(purchase.currency),
      earnRateScaled: job.earnRateScaled,
      tiers: pricing.tiers,
      qualifying: pricing.qualifying,
      campaigns: pricing.campaigns,
      lines: job.lines,
      categoryRates: partner.categoryRates,
      offers: pricing.offers,
      stampCards: pricing.stampCards,
      // Coalition-wide campaigns are paid by the coalition's marketing budget.
      coalitionCampaignFunder: null,
      // Tier retention and overrides (issue 18): the effective tier prices the earn.
      tierRecord: pricing.tierRecord,
      tierOverride: pricing.tierOverride,
      // A paid membership's perks: paid by the coalition's marketing budget too (award MEMBERSHIP).
      membership: pricing.membership,
    });
    const { tier, breakdown: earned, awards } = decision;
    if (decision.total > MAX_POINTS_PER_TRANSACTION) throw badInput('purchase.amount', 'earns more points than one transaction may carry');
    const byFunder = pointsByFunder(awards);
    const partnerShare = byFunder.get(partnerId) ?? 0n;
    const coalitionShare = byFunder.get(null) ?? 0n;
    const blockDrawn = pricing.funding === 'PREPAID' && partnerShare > 0n ? await drawPrepaidBlock(manager, partnerId, partnerShare) : false;
    // Accounts are never deleted nor re-keyed, so a partner's issuing account, once committed, is known.
    const issuedAccount = this.issuedAccounts.get(partnerId) ?? (await ensureAccount(manager, 'PARTNER_ISSUED', partnerId));
    if (coalitionShare > 0n && !this.marketingAccount) this.marketingAccount = await ensureAccount(manager, 'COALITION_MARKETING', null);
    const issuers: EarnIssuer[] = [{ accountId: issuedAccount, partnerId, points: partnerShare, unitPrice: null, priceCurrency: null }];
    if (coalitionShare > 0n) {
      issuers.push({
        accountId: this.marketingAccount as string,
        partnerId: null,
        points: coalitionShare,
        unitPrice: this.config.coalition.marketingPointPrice,
        priceCurrency: this.config.coalition.currency,
      });
    }
    return {
      awards,
      issuedAccount,
      write: {
        transaction: {
          id: job.transactionId,
          partnerId,
          memberId: job.memberId,
          reference: job.reference,
          points: decision.total,
          purchaseMinor: purchase.minor,
          purchaseCurrency: purchase.currency,
          earnRate: partner.earnRate,
          basePoints: earned.base,
          tierMultiplierMilli: tier.multiplierMilli,
          campaignBonus: earned.campaignBonus,
          unitPrice: partner.issuePrice,
          priceCurrency: partner.currency,
          blockDrawn,
        },
        memberAccountId: memberAccount,
        lifetimeMonths: this.config.expiryMonths,
        issuers,
        awards,
        storeId: job.storeId,
        lines: job.lines,
        offersUsed: decision.offersUsed,
        stamps: decision.stamps,
        audit: takeAuditRow(job.viewer, job.transactionId),
      },
    };
  }

  /** An earn committed: its partner's issuing account exists for good, and the earn counts. */
  private committed(partnerId: string, written: { transaction: TransactionEntity; issuedAccount: string }): void {
    this.issuedAccounts.set(partnerId, written.issuedAccount);
    this.metrics?.earned(BigInt(written.transaction.points));
  }

  /** Why each transaction gave its points (transaction ids the caller may already see). */
  async awards(transactionIds: readonly string[]): Promise<Map<string, Award[]>> {
    return awardsOf(this.dataSource.manager, transactionIds);
  }

  /** The store and lines of earns (ids the caller may already see). */
  async baskets(transactionIds: readonly string[]): Promise<Map<string, Basket>> {
    return basketsOf(this.dataSource.manager, transactionIds);
  }

  /** A partner's earns per store in [from, to); the caller has authorised the statement it belongs to. */
  async storeTotals(partnerId: string, from: Date, to: Date): Promise<StoreTotals[]> {
    return storeTotals(this.dataSource.manager, partnerId, from, to);
  }

  private async withAwards(transaction: TransactionEntity): Promise<{ transaction: TransactionEntity; awards: Award[] }> {
    return { transaction, awards: (await this.awards([transaction.id])).get(transaction.id) ?? [] };
  }

  /**
   * The member's tier as it prices earns (retention, overrides and a paid membership's tier floor included)
   * and the qualifying standing beside it.
   */
  async tierStanding(viewer: Viewer, memberId: string): Promise<TierStanding & { tiers: readonly Tier[]; effective: EffectiveTier; overrideReason: string | null }> {
    this.requireFullView(viewer, memberId);
    const manager = this.dataSource.manager;
    const [tiers, qualifying, keepers, perks] = await Promise.all([
      this.programme.tiers(manager),
      qualifyingPoints(manager, memberId),
      readTierKeepers(manager, memberId),
      activePerks(manager, memberId),
    ]);
    const held = effectiveTier(tiers, qualifying, keepers.record, keepers.override, new Date());
    const effective = withMembershipFloor(tiers, held, qualifying, perks?.tierFloor ?? null, perks?.periodEnd ?? null);
    return { ...standing(tiers, qualifying), tiers, effective, overrideReason: effective.keptBy === 'OVERRIDE' ? keepers.override!.reason : null };
  }

  /** The member's points that expire within `days`, by expiry date. The member and the admin only. */
  async expiringSoon(viewer: Viewer, memberId: string, days: number): Promise<{ points: bigint; expiresAt: Date }[]> {
    this.requireFullView(viewer, memberId);
    const window = validate.points('days', days, 1);
    return expiringPoints(this.dataSource.manager, memberId, Math.min(window, 3660));
  }

  /**
   * A member's transactions, newest first, after an opaque cursor. The member and the admin see all;
   * a partner with members:lookup sees only its own entries.
   */
  async history(viewer: Viewer, memberId: string, first: number, after?: string | null): Promise<TransactionPage> {
    const view = this.accountView(viewer, memberId);
    return this.transactionPage(first, after, view === 'available' ? { memberId, partnerId: viewer.partnerId } : { memberId });
  }

  /**
   * A partner's own transactions (earns, redemptions, reversals at its tills), newest first: for that
   * partner's tokens and the admin. Anyone else gets null, as for a partner with no statement at all.
   */
  async partnerHistory(viewer: Viewer, partnerId: string, first: number, after?: string | null): Promise<TransactionPage | null> {
    if (!isAdmin(viewer) && viewer.partnerId !== partnerId) return null;
    return this.transactionPage(first, after, { partnerId });
  }

  /** One keyset page of transactions, newest first; pages never skip or repeat rows written meanwhile. */
  private async transactionPage(first: number, after: string | null | undefined, filter: { memberId?: string; partnerId?: string }): Promise<TransactionPage> {
    const limit = Math.min(Math.max(first, 1), MAX_PAGE_SIZE);
    // One row more than the page tells whether another page follows.
    const rows = await transactionsNewestFirst(this.dataSource.manager, filter, limit + 1, after ? decodeCursor(after) : null);
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  /** A transaction the viewer may see: its partner's, its member's, or any for the admin. Else null. */
  async transaction(viewer: Viewer, id: string): Promise<TransactionEntity | null> {
    const row = await findTransaction(this.dataSource.manager, validate.uuid('id', id));
    if (!row) return null;
    const visible = isAdmin(viewer) || (!!viewer.partnerId && row.partnerId === viewer.partnerId) || (!!row.memberId && isSelf(viewer, row.memberId));
    return visible ? row : null;
  }

  async memberAccounts(memberIds: readonly string[]): Promise<AccountEntity[]> {
    // Entity representations can carry any id; a malformed one simply has no account.
    return memberAccounts(this.dataSource.manager, memberIds.filter(validate.isUuid));
  }

  private requireFullView(viewer: Viewer, memberId: string): void {
    if (this.accountView(viewer, memberId) !== 'full') throw forbidden('Only the member and the admin see this');
  }

}

/** A basket as sent: each amount in the purchase's currency, the lines adding up to the purchase. BAD_USER_INPUT otherwise. */
function parseLines(input: NonNullable<EarnInput['lines']>, purchase: { minor: bigint; currency: string }): PurchaseLine[] {
  const lines = input.map((l, i): PurchaseLine => {
    const amount = parseMoney(`lines.${i}.amount`, l.amount, true);
    if (amount.currency !== purchase.currency) throw badInput(`lines.${i}.amount.currency`, "must be the purchase's currency");
    return { sku: l.sku, category: l.category ?? null, quantity: l.quantity, amountMinor: amount.minor };
  });
  const problem = basketProblem(lines, purchase.minor);
  if (problem) throw badInput(problem.field, problem.message);
  return lines;
}

/** History cursors: the last row's id, opaque to clients. */
export function encodeCursor(row: { id: string }): string {
  return Buffer.from(`tx:${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8').replace(/^tx:/, '');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw badInput('after', 'is not a cursor this API gave out');
  return id;
}
