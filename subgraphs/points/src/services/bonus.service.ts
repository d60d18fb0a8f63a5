import { type DataSource, type EntityManager } from 'typeorm';
import { badInput, forbidden, isAdmin, recordAudit, validate, type Viewer } from '../../../../lib/src';
import { birthdayPeriod, referralRewards, startOfLocalYear } from '../domain/bonus.rules';
import {
  anyWelcomeRuleGives,
  claimAccountsWithoutWelcome,
  claimDueBirthdays,
  claimDueReferrals,
  hasWelcome,
  insertWelcomeRule,
  recordBirthday,
  recordReferral,
  recordWelcome,
  referrerRewardsSince,
  welcomeRulesInForce,
  type WelcomeRuleRow,
} from '../persistence/bonuses.repository';
import { closedMembers, issuePoints, issuerAccount, lockMemberAccountsById } from '../persistence/issuance.repository';
import { type LedgerConfig } from './ledger.config';

/**
 * Bonuses without a purchase, paid by the ledger sweeper (every points instance runs it) from the
 * coalition's marketing budget (a BONUS transaction with its award, at the marketing price):
 * - welcome: each member whose points account opened in the last WELCOME_BONUS_WINDOW_DAYS (the
 *   registration from the members subgraph opens it when the member joins) gets the welcome bonus in force
 *   for the partner that enrolled them, else the coalition's (setWelcomeBonus), else WELCOME_BONUS_POINTS;
 * - referral: once a referred member has a first earn with points that is not reversed, the friend gets
 *   REFERRAL_FRIEND_POINTS and the referrer REFERRAL_REFERRER_POINTS, once per friend; a referrer is paid
 *   for at most REFERRAL_YEARLY_CAP friends per calendar year (the friend is paid regardless);
 * - birthday: once a year, in the member's birthday month or on the day (BIRTHDAY_BONUS_ON), by the
 *   coalition's calendar (COALITION_TIME_ZONE).
 *
 * Why the sweeper: the row that makes each bonus once (welcome_bonuses and referral_bonuses per member,
 * birthday_bonuses per member and year: primary keys) is written in the transaction that pays it, and the
 * candidates are claimed with FOR UPDATE SKIP LOCKED, so two sweepers never pay twice, a crash pays nothing
 * or everything, and the next sweep completes what a crash left. No earn pays a bonus itself: the earn's
 * hot path stays as it is, and a bonus follows its cause within one sweep.
 */
export class BonusService {
  /** When the birthday round last ran (it looks at a month of members: once a minute is plenty). */
  private birthdaysCheckedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LedgerConfig,
  ) {}

  /** One sweep: welcome, referral and birthday rounds. Answers the bonuses paid. */
  async sweep(now = new Date()): Promise<number> {
    let paid = (await this.sweepWelcome()) + (await this.sweepReferrals());
    if (now.getTime() - this.birthdaysCheckedAt >= 60_000) {
      const birthdays = await this.sweepBirthdays(now);
      // A full batch means more are due: look again on the next tick.
      if (birthdays < 200) this.birthdaysCheckedAt = now.getTime();
      paid += birthdays;
    }
    return paid;
  }

  /** One round: up to `batch` welcome bonuses paid. Nothing when no rule and no default gives points. */
  async sweepWelcome(batch = 200): Promise<number> {
    const defaultPoints = this.config.bonuses.welcomePoints;
    if (defaultPoints <= 0 && !(await anyWelcomeRuleGives(this.dataSource.manager))) return 0;
    return this.dataSource.transaction(async (manager) => {
      const due = await claimAccountsWithoutWelcome(manager, this.config.bonuses.welcomeWindowDays, batch, defaultPoints);
      let paid = 0;
      for (const { accountId, memberId, ruleId, points } of due) {
        // Claimed in a snapshot taken before another sweeper's commit: look again now that the account is ours.
        if (await hasWelcome(manager, memberId)) continue;
        const written = await this.pay(manager, memberId, accountId, points, 'welcome bonus', { kind: 'WELCOME', ruleId });
        // The account lock makes this the only writer for the member; the key makes it once regardless.
        if (!(await recordWelcome(manager, memberId, written, points))) throw new Error(`welcome bonus for ${memberId} already paid`);
        paid += 1;
      }
      return paid;
    });
  }

  /** One round: up to `batch` referrals whose friend has a qualifying earn, settled (both sides paid, the referrer within its cap). */
  async sweepReferrals(batch = 100): Promise<number> {
    const { friendPoints, referrerPoints, referrerYearlyCap } = this.config.bonuses.referral;
    return this.dataSource.transaction(async (manager) => {
      const due = await claimDueReferrals(manager, batch);
      if (due.length === 0) return 0;
      // Every account this round may pay, locked at once in account order (no cycle with other lockers).
      const accounts = await lockMemberAccountsById(manager, due.flatMap((d) => [d.friendId, d.referrerId]), { allowClosed: true });
      const closed = await closedMembers(manager, [...accounts.keys()]);
      const yearStart = startOfLocalYear(new Date(), this.config.coalition.timeZone);
      let paid = 0;
      for (const d of due) {
        const rewards = referralRewards({
          friendPoints: BigInt(friendPoints),
          referrerPoints: BigInt(referrerPoints),
          referrerYearlyCap,
          friendOpen: accounts.has(d.friendId) && !closed.has(d.friendId),
          referrerOpen: accounts.has(d.referrerId) && !closed.has(d.referrerId),
          referrerPaidThisYear: await referrerRewardsSince(manager, d.referrerId, yearStart),
        });
        const friend = rewards.friend > 0n ? { transactionId: await this.pay(manager, d.friendId, accounts.get(d.friendId)!, rewards.friend, 'referral bonus', { kind: 'REFERRAL', ruleId: null }), points: rewards.friend } : null;
        const referrer =
          rewards.referrer > 0n
            ? { transactionId: await this.pay(manager, d.referrerId, accounts.get(d.referrerId)!, rewards.referrer, 'referral bonus: a friend joined', { kind: 'REFERRAL', ruleId: null }), points: rewards.referrer }
            : null;
        if (!(await recordReferral(manager, { ...d, qualifyingTransactionId: d.qualifyingTransactionId!, friend, referrer }))) throw new Error(`referral of ${d.friendId} already settled`);
        paid += (friend ? 1 : 0) + (referrer ? 1 : 0);
      }
      return paid;
    });
  }

  /** One round: up to `batch` birthday bonuses of the current period (month or day, on the coalition's calendar). */
  async sweepBirthdays(now = new Date(), batch = 200): Promise<number> {
    const { birthdayPoints, birthdayOn } = this.config.bonuses;
    if (birthdayPoints <= 0) return 0;
    const period = birthdayPeriod(now, this.config.coalition.timeZone, birthdayOn);
    return this.dataSource.transaction(async (manager) => {
      const due = await claimDueBirthdays(manager, period, batch);
      let paid = 0;
      for (const { accountId, memberId } of due) {
        const transactionId = await this.pay(manager, memberId, accountId, BigInt(birthdayPoints), `birthday bonus ${period.year}`, { kind: 'BIRTHDAY', ruleId: null });
        // Another sweeper paid it between our snapshot and our lock: roll back, the next sweep moves on.
        if (!(await recordBirthday(manager, memberId, period.year, transactionId, BigInt(birthdayPoints)))) throw new Error(`birthday bonus ${period.year} for ${memberId} already paid`);
        paid += 1;
      }
      return paid;
    });
  }

  /**
   * Sets the welcome bonus from now on (admin): for members the named partner enrolls, or (no partner)
   * coalition-wide; 0 points turns it off. Paid from the marketing budget. Audited.
   */
  async setWelcomeBonus(viewer: Viewer, input: { partnerId?: string | null; points: number }): Promise<WelcomeRuleRow> {
    if (!isAdmin(viewer)) throw forbidden('Requires scope admin');
    const partnerId = input.partnerId == null ? null : validate.uuid('partnerId', input.partnerId);
    if (!Number.isSafeInteger(input.points) || input.points < 0 || input.points > 1_000_000) throw badInput('points', 'must be a whole number from 0 to 1000000');
    return this.dataSource.transaction(async (manager) => {
      const rule = await insertWelcomeRule(manager, partnerId, BigInt(input.points), viewer.subject);
      await recordAudit(manager, viewer, rule.id);
      return rule;
    });
  }

  /** The welcome rules in force (admin), and the configured default for when none is. */
  async welcomeBonuses(viewer: Viewer): Promise<{ defaultPoints: number; rules: WelcomeRuleRow[] }> {
    if (!isAdmin(viewer)) throw forbidden('Requires scope admin');
    return { defaultPoints: this.config.bonuses.welcomePoints, rules: await welcomeRulesInForce(this.dataSource.manager) };
  }

  /** Pays `points` from the marketing budget to the member (whose account the caller holds locked); answers the transaction id. */
  private async pay(manager: EntityManager, memberId: string, accountId: string, points: bigint, reference: string, award: { kind: 'WELCOME' | 'REFERRAL' | 'BIRTHDAY'; ruleId: string | null }): Promise<string> {
    const written = await issuePoints(manager, {
      kind: 'BONUS',
      memberId,
      memberAccountId: accountId,
      issuer: { partnerId: null, unitPrice: this.config.coalition.marketingPointPrice, currency: this.config.coalition.currency },
      issuerAccountId: await issuerAccount(manager, null),
      points,
      reference,
      lifetimeMonths: this.config.expiryMonths,
      award,
    });
    return written.id;
  }
}
