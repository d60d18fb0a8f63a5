import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import {
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
  storedResult,
  takeAuditRow,
  validate,
  validateIdempotencyKey,
  MAX_PAGE_SIZE,
  type Viewer,
} from '../../../../lib/src';
import { pointsByFunder, type Award } from '../domain/award.rules';
import { decideEarn } from '../domain/earn-decision.rules';
import { awardsOf } from '../persistence/awards.repository';
import { writeEarn, type EarnIssuer } from '../persistence/earn-write.repository';
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
  ensureAccount,
  findTransaction,
  loadTransaction,
  memberAccounts,
  transactionsNewestFirst,
} from '../persistence/ledger.repository';
import { expiringPoints } from '../persistence/lots.repository';
import { qualifyingPoints } from '../persistence/tiers-campaigns.repository';
import { type DirectoryClient } from '../clients/directory.client';
import { drawPrepaidBlock } from './funding.service';
import { refuseBalanceOverflow, settleClawbacks } from './member-ledger';
import { type LedgerConfig } from './ledger.config';
import { type LedgerMetrics } from './ledger.metrics';
import { type ProgrammeService } from './programme.service';

/** An earn found no account for its member: rolled back, to ask the members subgraph without holding locks. */
class MemberAccountMissing extends Error {}

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

  async earn(viewer: Viewer, input: EarnInput, requestId: string): Promise<{ transaction: TransactionEntity; awards: Award[] }> {
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
    const earnRateScaled = parseScaled('earnRate', partner.earnRate, RATE_SCALE);

    // The member's account is locked first: nearly every earn finds it. Only a member's first earn finds
    // none; then the transaction is rolled back, the members subgraph is asked whether the member exists
    // and is active (never while holding locks), and the earn runs again, creating the account.
    let issuedAccount: string | undefined;
    // The transaction as written answers the mutation (its insert returns every column): no read after commit.
    let written: TransactionEntity | undefined;
    let awards: Award[] = [];
    // The transaction's id is chosen now, so the key's claim stores the answer at once (nothing written after the effect).
    const transactionId = randomUUID();
    const claimParams = claimCteParams(request, { transactionId });
    const write = (createMemberAccount: boolean) =>
      this.dataSource.transaction(async (manager): Promise<{ result: { transactionId: string }; replayed: boolean }> => {
          if (createMemberAccount) await ensureAccount(manager, 'MEMBER', memberId);
          // The key is claimed, and then the member's account locked, in one round trip. Earns of one member
          // serialise on that lock (tier, lots, offers, stamps and clawbacks are per member); a partner's own
          // account is never locked, so earns at one partner for different members run in parallel.
          const { claimed, account: locked } = await claimAndLockMember(manager, claimParams, memberId);
          if (!claimed) return { result: await lostClaim<{ transactionId: string }>(manager, request), replayed: true };
          if (!locked) throw new MemberAccountMissing();
          const memberAccount = locked.id;
          // Accounts are never deleted nor re-keyed, so a partner's issuing account, once committed, is known.
          issuedAccount = this.issuedAccounts.get(partnerId) ?? (await ensureAccount(manager, 'PARTNER_ISSUED', partnerId));
          // Read after the lock (its own snapshot sees the member's earlier earns), with the funding locks: blocks
          // this earn may touch (its own, and those its clawback repayments refill), in partner order.
          const { tiers, campaigns, qualifying, offers, stampCards, funding, tierRecord, tierOverride, membership } = await this.programme.pricingContext(manager, partnerId, memberId, memberAccount);
          const decision = decideEarn({
            partnerId,
            purchaseMinor: purchase.minor,
            currencyExponent: currencyExponent(purchase.currency),
            earnRateScaled,
            tiers,
            qualifying,
            campaigns,
            lines,
            categoryRates: partner.categoryRates,
            offers,
            stampCards,
            // Coalition-wide campaigns are paid by the coalition's marketing budget.
            coalitionCampaignFunder: null,
            // Tier retention and overrides (issue 18): the effective tier prices the earn.
            tierRecord,
            tierOverride,
            // A paid membership's perks: paid by the coalition's marketing budget too (award MEMBERSHIP).
            membership,
          });
          const { tier, breakdown: earned } = decision;
          awards = decision.awards;
          if (decision.total > MAX_POINTS_PER_TRANSACTION) throw badInput('purchase.amount', 'earns more points than one transaction may carry');
          // A prepaid partner pays from its block, in this transaction: the earn and the draw commit together.
          // Each issuer pays its share: the partner its awards, the coalition's marketing budget the coalition-wide ones.
          const byFunder = pointsByFunder(awards);
          const partnerShare = byFunder.get(partnerId) ?? 0n;
          const coalitionShare = byFunder.get(null) ?? 0n;
          const blockDrawn = funding === 'PREPAID' && partnerShare > 0n ? await drawPrepaidBlock(manager, partnerId, partnerShare) : false;
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
          // Everything the earn writes, in one statement: transaction, postings, lots, awards, basket, offer uses, stamps,
          // qualifying points and the audit row (the key's answer was stored by its claim).
          written = await writeEarn(manager, {
            transaction: {
              id: transactionId,
              partnerId,
              memberId,
              reference,
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
            storeId,
            lines,
            offersUsed: decision.offersUsed,
            stamps: decision.stamps,
            audit: takeAuditRow(viewer, transactionId),
          }).catch(refuseBalanceOverflow('purchase.amount'));
          if (decision.total > 0n && locked.owesClawbacks) await settleClawbacks(manager, memberAccount, memberId);
          return { result: { transactionId }, replayed: false };
        });

    let outcome: Awaited<ReturnType<typeof write>>;
    try {
      outcome = await write(false);
    } catch (error) {
      if (!(error instanceof MemberAccountMissing)) throw error;
      if (!(await this.directory.memberIsActive(viewer, memberId, requestId))) throw notFound('Member');
      outcome = await write(true);
    }
    // Committed: the issuing account exists for good (a replay wrote nothing, so it may not have been looked up).
    if (issuedAccount && !outcome.replayed) this.issuedAccounts.set(partnerId, issuedAccount);
    if (!outcome.replayed && written) this.metrics?.earned(BigInt(written.points));
    return !outcome.replayed && written ? { transaction: written, awards } : this.withAwards(await loadTransaction(this.dataSource.manager, outcome.result.transactionId));
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
