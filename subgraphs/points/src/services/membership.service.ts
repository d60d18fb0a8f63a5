import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import {
  badInput,
  callerOf,
  forbidden,
  idempotent,
  isAdmin,
  isSelf,
  notFound,
  parseMoney,
  recordAudit,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../../lib/src';
import { type DirectoryClient } from '../clients/directory.client';
import { MULTIPLIER_SCALE } from '../domain/tier.rules';
import { issuePoints, issuerAccount } from '../persistence/issuance.repository';
import { ensureAccount, lockMemberAccount, memberAccounts } from '../persistence/ledger.repository';
import {
  cancelAtPeriodEnd,
  claimDueMonthlyBonuses,
  extendRun,
  findPurchase,
  hasMonthlyBonus,
  insertPlan,
  insertPurchase,
  listPlans,
  markEnded,
  membershipOf,
  membershipsOf,
  plansById,
  recordMonthlyBonus,
  startRun,
  type MembershipRow,
  type PlanRow,
  type PurchaseRow,
} from '../persistence/memberships.repository';
import { readTiers } from '../persistence/tiers-campaigns.repository';
import { type LedgerConfig } from './ledger.config';
import { parseMultiplier } from './programme.service';

export interface CreatePlanInput {
  name: string;
  price: { amount: string; currency: string };
  periodMonths: number;
  earnMultiplier?: string | null;
  tierFloor?: string | null;
  monthlyBonusPoints?: number | null;
  earlyAccessDays?: number | null;
  idempotencyKey: string;
}

export interface PurchaseInput {
  memberId: string;
  planId: string;
  paymentReference: string;
  /** Admin only: the partner whose till sold it (it collected the fee); none: sold by the coalition itself. */
  partnerId?: string | null;
  idempotencyKey: string;
}

/** What a viewer may see of a membership: everything (the member, the admin) or, for a partner's till, whether it is active and its plan. */
export type MembershipView = { membership: MembershipRow; full: boolean };

/**
 * Paid memberships: the admin defines plans; a partner sells one at its till (or the admin records a
 * sale), which starts the member's membership or renews it from its current period's end; the member (or
 * the admin) cancels it, effective at the period's end; it ends by itself when the period runs out. The
 * fee is the coalition's revenue, collected by the selling partner (its settlement statement's
 * membershipFees). Perks apply in the earn (applyMembershipPerks) and in tier standing (tierWithFloor); the
 * ledger sweeper pays the monthly bonus points from the marketing budget, once per membership and month.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, PARTNER_SUSPENDED, MEMBER_CLOSED, IDEMPOTENCY_KEY_REUSED,
 * IDEMPOTENCY_KEY_IN_USE.
 */
export class MembershipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
    private readonly config: LedgerConfig,
  ) {}

  /** A plan, defined once (plans never change: a new offer is a new plan). Admin; idempotent; audited. */
  async createPlan(viewer: Viewer, input: CreatePlanInput): Promise<PlanRow> {
    if (!isAdmin(viewer)) throw forbidden('Requires scope: admin');
    const name = validate.text('name', input.name, 100);
    const price = parseMoney('price', input.price);
    if (!Number.isInteger(input.periodMonths) || input.periodMonths < 1 || input.periodMonths > 36) throw badInput('periodMonths', 'must be a whole number of months from 1 to 36');
    const earnMultiplierMilli = input.earnMultiplier == null ? MULTIPLIER_SCALE : parseMultiplier('earnMultiplier', input.earnMultiplier);
    const monthlyBonusPoints = input.monthlyBonusPoints == null ? 0 : validate.points('monthlyBonusPoints', input.monthlyBonusPoints, 0);
    if (monthlyBonusPoints > 1_000_000) throw badInput('monthlyBonusPoints', 'must be at most 1000000');
    const earlyAccessDays = input.earlyAccessDays == null ? 0 : validate.points('earlyAccessDays', input.earlyAccessDays, 0);
    if (earlyAccessDays > 90) throw badInput('earlyAccessDays', 'must be at most 90');
    validateIdempotencyKey(input.idempotencyKey);
    let tierFloor: string | null = null;
    if (input.tierFloor != null) {
      const wanted = validate.text('tierFloor', input.tierFloor, 50);
      // Stored as the tier table spells it; a floor must name a tier that exists now.
      const tier = (await readTiers(this.dataSource.manager)).find((t) => t.name.toLowerCase() === wanted.toLowerCase());
      if (!tier) throw badInput('tierFloor', 'must name a tier of the tier table');
      tierFloor = tier.name;
    }
    if (earnMultiplierMilli === MULTIPLIER_SCALE && tierFloor === null && monthlyBonusPoints === 0 && earlyAccessDays === 0) {
      throw badInput('earnMultiplier', 'a plan needs a perk: a multiplier above 1, a tier floor, monthly bonus points or early access');
    }
    const request = { caller: callerOf(viewer), operation: 'createMembershipPlan', key: input.idempotencyKey, input };
    const outcome = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        const plan = await insertPlan(
          manager,
          { id: randomUUID(), name, priceMinor: price.minor, currency: price.currency, periodMonths: input.periodMonths, earnMultiplierMilli, tierFloor, monthlyBonusPoints: BigInt(monthlyBonusPoints), earlyAccessDays },
          viewer.subject,
        );
        await recordAudit(manager, viewer, plan.id);
        return { planId: plan.id };
      }),
    );
    return (await plansById(this.dataSource.manager, [outcome.result.planId]))[0];
  }

  /** Every plan (a price list: any signed-in caller). */
  async plans(): Promise<PlanRow[]> {
    return listPlans(this.dataSource.manager);
  }

  async plansById(ids: readonly string[]): Promise<PlanRow[]> {
    return plansById(this.dataSource.manager, ids.filter(validate.isUuid));
  }

  /**
   * A sale at a partner's till (a partner with points:earn: its own till; the admin: naming the till's
   * partner, or none for a sale by the coalition itself). The plan's currency must be the seller's. Starts
   * the membership, or renews the running one from its period's end (same plan only). Idempotent; audited.
   */
  async purchase(viewer: Viewer, input: PurchaseInput, requestId: string): Promise<{ purchase: PurchaseRow; membership: MembershipRow }> {
    let sellerId: string | null;
    if (isAdmin(viewer)) {
      sellerId = input.partnerId == null ? null : validate.uuid('partnerId', input.partnerId);
    } else {
      if (!viewer.partnerId || !viewer.scopes.has('points:earn')) throw forbidden('Requires a partner token with scope points:earn, or admin');
      if (input.partnerId != null && input.partnerId !== viewer.partnerId) throw forbidden('A partner sells memberships at its own till only');
      sellerId = viewer.partnerId;
    }
    const memberId = validate.uuid('memberId', input.memberId);
    const planId = validate.uuid('planId', input.planId);
    const paymentReference = validate.text('paymentReference', input.paymentReference, 255);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'purchaseMembership', key: input.idempotencyKey, input };
    const replay = await storedResult<{ purchaseId: string }>(this.dataSource.manager, request);
    if (replay) return this.loadSale(replay.purchaseId);

    // The seller's currency: the calling partner (refused when suspended), or the partner the admin names.
    let sellerCurrency: string | null = null;
    if (sellerId !== null && !isAdmin(viewer)) sellerCurrency = (await this.directory.requireActiveCallingPartner(viewer, requestId)).currency;
    else if (sellerId !== null) {
      const partner = await this.directory.partner(viewer, sellerId, requestId);
      if (!partner) throw notFound('Partner');
      sellerCurrency = partner.currency;
    }
    const [plan] = await plansById(this.dataSource.manager, [planId]);
    if (!plan) throw notFound('MembershipPlan');
    if (sellerCurrency !== null && plan.currency !== sellerCurrency) throw badInput('planId', `is priced in ${plan.currency}; this till sells in ${sellerCurrency}`);
    // Members are registered with the ledger when they join (their account opens then); a member from before
    // that is asked about, never while holding locks.
    const hasAccount = (await memberAccounts(this.dataSource.manager, [memberId])).length > 0;
    if (!hasAccount && !(await this.directory.memberIsActive(viewer, memberId, requestId))) throw notFound('Member');

    const outcome = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        if (!hasAccount) await ensureAccount(manager, 'MEMBER', memberId);
        // Sales of one member serialise on the member's account (MEMBER_CLOSED when closed), then the row.
        if (!(await lockMemberAccount(manager, memberId))) throw notFound('Member');
        const current = await membershipOf(manager, memberId, true);
        let membershipId: string;
        let period: { periodStart: Date; periodEnd: Date };
        const renewal = !!current?.active;
        if (current?.active) {
          if (current.planId !== plan.id) throw badInput('planId', "the member's running membership is of another plan; a new plan can be bought once it ends");
          membershipId = current.id;
          period = await extendRun(manager, current.id, plan.periodMonths);
        } else {
          const started = await startRun(manager, { id: randomUUID(), memberId, planId: plan.id, months: plan.periodMonths });
          membershipId = started.membershipId;
          period = started;
        }
        const purchase = await insertPurchase(
          manager,
          { id: randomUUID(), membershipId, memberId, planId: plan.id, partnerId: sellerId, paymentReference, priceMinor: plan.priceMinor, currency: plan.currency, ...period, renewal },
          viewer.subject,
        );
        if (!purchase) throw badInput('paymentReference', 'was already used for a membership sale at this till');
        await recordAudit(manager, viewer, purchase.id);
        return { purchaseId: purchase.id };
      }),
    );
    return this.loadSale(outcome.result.purchaseId);
  }

  /**
   * Cancels the member's running membership at its period's end: the perks last until then, and it ends
   * there. The member (self; memberId omitted or their own) or the admin (naming the member). Another
   * member's, or none running, is NOT_FOUND. Cancelling again changes nothing. Audited.
   */
  async cancel(viewer: Viewer, input: { memberId?: string | null }): Promise<MembershipRow> {
    let memberId: string;
    if (isAdmin(viewer)) {
      if (input.memberId == null) throw badInput('memberId', 'the admin names the member');
      memberId = validate.uuid('memberId', input.memberId);
    } else if (viewer.memberId && viewer.scopes.has('member')) {
      memberId = input.memberId == null ? viewer.memberId : validate.uuid('memberId', input.memberId);
      if (!isSelf(viewer, memberId)) throw notFound('Membership');
    } else {
      throw forbidden('Requires a member token or admin');
    }
    return this.dataSource.transaction(async (manager) => {
      const row = await membershipOf(manager, memberId, true);
      if (!row || !row.active) throw notFound('Membership');
      if (row.cancelAtPeriodEnd) return row;
      const cancelled = await cancelAtPeriodEnd(manager, row.id);
      await recordAudit(manager, viewer, row.id);
      return cancelled;
    });
  }

  /**
   * Members' memberships as the viewer may see them (DataLoader order): the member and the admin the whole
   * membership, running or ended; a partner with members:lookup, at its till, only a running one (plan and
   * status: whether the customer is VIP). Anyone else is refused.
   */
  async memberships(viewer: Viewer, memberIds: readonly string[]): Promise<(MembershipView | null)[]> {
    const rows = await membershipsOf(this.dataSource.manager, memberIds.filter(validate.isUuid));
    return memberIds.map((id) => {
      const membership = rows.find((r) => r.memberId === id);
      if (isAdmin(viewer) || isSelf(viewer, id)) return membership ? { membership, full: true } : null;
      if (viewer.partnerId && viewer.scopes.has('members:lookup')) return membership?.active ? { membership, full: false } : null;
      throw forbidden("Only the member, the admin and partners with members:lookup see a member's membership");
    });
  }

  /** A sale as the viewer may see it: the selling partner's, the member's own, or any for the admin. Else null (as missing). */
  async sale(viewer: Viewer, id: string): Promise<PurchaseRow | null> {
    if (!validate.isUuid(id)) return null;
    const row = await findPurchase(this.dataSource.manager, id);
    if (!row) return null;
    const visible = isAdmin(viewer) || (!!viewer.partnerId && row.partnerId === viewer.partnerId) || isSelf(viewer, row.memberId);
    return visible ? row : null;
  }

  /** One sweep: ended runs marked EXPIRED, then the monthly bonuses due. Answers the bonuses paid. */
  async sweep(): Promise<number> {
    await this.dataSource.transaction((manager) => markEnded(manager, 500));
    return this.sweepMonthlyBonuses();
  }

  /**
   * One round: up to `batch` monthly bonuses of the membership month now running, paid from the marketing
   * budget (a BONUS with a MEMBERSHIP award naming the plan). Exactly once per membership and month: the
   * claim locks the member's account (SKIP LOCKED), looks again once it is ours, and writes the key row
   * (primary key: membership and month) in the paying transaction.
   */
  async sweepMonthlyBonuses(batch = 200): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await claimDueMonthlyBonuses(manager, batch);
      if (due.length === 0) return 0;
      const marketing = await issuerAccount(manager, null);
      let paid = 0;
      for (const d of due) {
        // Claimed in a snapshot taken before another sweeper's commit: look again now that the account is ours.
        if (await hasMonthlyBonus(manager, d.membershipId, d.monthStart)) continue;
        const written = await issuePoints(manager, {
          kind: 'BONUS',
          memberId: d.memberId,
          memberAccountId: d.accountId,
          issuer: { partnerId: null, unitPrice: this.config.coalition.marketingPointPrice, currency: this.config.coalition.currency },
          issuerAccountId: marketing,
          points: d.points,
          reference: `membership bonus ${d.monthStart.slice(0, 10)}`,
          lifetimeMonths: this.config.expiryMonths,
          award: { kind: 'MEMBERSHIP', ruleId: d.planId },
        });
        if (!(await recordMonthlyBonus(manager, { membershipId: d.membershipId, monthStart: d.monthStart, transactionId: written.id, points: d.points }))) {
          throw new Error(`membership bonus for ${d.membershipId} already paid`);
        }
        paid += 1;
      }
      return paid;
    });
  }

  private async loadSale(purchaseId: string): Promise<{ purchase: PurchaseRow; membership: MembershipRow }> {
    const manager = this.dataSource.manager;
    const purchase = (await findPurchase(manager, purchaseId))!;
    const membership = (await membershipOf(manager, purchase.memberId))!;
    return { purchase, membership };
  }
}
