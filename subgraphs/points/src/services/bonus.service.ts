import { type DataSource, type EntityManager } from 'typeorm';
import { badInput, forbidden, isAdmin, isSelf, recordAudit, validate, type Viewer } from '../../../../lib/src';
import { activeFriends, ambassadorOf, listAmbassadors, recordAmbassador, type AmbassadorRow } from '../persistence/ambassadors.repository';
import { birthdayPeriod, reachesAmbassador, referralRewards, startOfLocalYear } from '../domain/bonus.rules';
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
  /** The coalition's marketing budget account (one row, made by a migration, never deleted): looked up once. */
  private marketingAccount: string | undefined;
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
    const { friendPoints, referrerPoints, referrerYearlyCap, ambassadorReferrerPoints } = this.config.bonuses.referral;
    return this.dataSource.transaction(async (manager) => {
      const due = await claimDueReferrals(manager, batch);
      if (due.length === 0) return 0;
      // Every account this round may pay, locked at once in account order (no cycle with other lockers).
      const accounts = await lockMemberAccountsById(manager, due.flatMap((d) => [d.friendId, d.referrerId]), { allowClosed: true });
      const closed = await closedMembers(manager, [...accounts.keys()]);
      const yearStart = startOfLocalYear(new Date(), this.config.coalition.timeZone);
      let paid = 0;
      for (const d of due) {
        const referrerOpen = accounts.has(d.referrerId) && !closed.has(d.referrerId);
        const rewards = referralRewards({
          friendPoints: BigInt(friendPoints),
          referrerPoints: BigInt(referrerPoints),
          referrerYearlyCap,
          friendOpen: accounts.has(d.friendId) && !closed.has(d.friendId),
          referrerOpen,
          referrerPaidThisYear: await referrerRewardsSince(manager, d.referrerId, yearStart),
          // Ambassadors (issue 18): this friend may be the one that makes the referrer one; their referrals pay more.
          referrerIsAmbassador: referrerOpen && (await this.ambassador(manager, d.referrerId)),
          ambassadorReferrerPoints: ambassadorReferrerPoints === undefined ? undefined : BigInt(ambassadorReferrerPoints),
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

  /**
   * Whether the referrer is an ambassador, making them one now if their active friends reach
   * AMBASSADOR_MIN_FRIENDS (the caller holds the referrer's account lock: one writer; the key makes it once).
   */
  private async ambassador(manager: EntityManager, referrerId: string): Promise<boolean> {
    if (await ambassadorOf(manager, referrerId)) return true;
    const minFriends = this.config.bonuses.referral.ambassadorMinFriends ?? 0;
    if (minFriends <= 0) return false;
    const friends = await activeFriends(manager, referrerId);
    if (!reachesAmbassador(friends, minFriends)) return false;
    await recordAmbassador(manager, referrerId, friends);
    return true;
  }

  /** The member's ambassador status (the member and the admin): since when, and their active friends now against the threshold. */
  async ambassadorStatus(viewer: Viewer, memberId: string): Promise<{ since: Date | null; activeFriends: number; minFriends: number } | null> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) return null;
    const [row, friends] = await Promise.all([ambassadorOf(this.dataSource.manager, memberId), activeFriends(this.dataSource.manager, memberId)]);
    return { since: row?.since ?? null, activeFriends: friends, minFriends: this.config.bonuses.referral.ambassadorMinFriends ?? 0 };
  }

  /** The ambassadors, earliest first (admin), after the ambassador `after` (a member id). */
  async ambassadors(viewer: Viewer, first: number, after: string | null): Promise<AmbassadorRow[]> {
    if (!isAdmin(viewer)) throw forbidden('Requires scope admin');
    const cursor = after == null ? null : validate.uuid('after', after);
    return listAmbassadors(this.dataSource.manager, Math.min(Math.max(first, 1), 200), cursor);
  }

  /** Pays `points` from the marketing budget to the member (whose account the caller holds locked); answers the transaction id. */
  private async pay(manager: EntityManager, memberId: string, accountId: string, points: bigint, reference: string, award: { kind: 'WELCOME' | 'REFERRAL' | 'BIRTHDAY'; ruleId: string | null }): Promise<string> {
    const written = await issuePoints(manager, {
      kind: 'BONUS',
      memberId,
      memberAccountId: accountId,
      issuer: { partnerId: null, unitPrice: this.config.coalition.marketingPointPrice, currency: this.config.coalition.currency },
      issuerAccountId: (this.marketingAccount ??= await issuerAccount(manager, null)),
      points,
      reference,
      lifetimeMonths: this.config.expiryMonths,
      award,
    });
    return written.id;
  }
}
