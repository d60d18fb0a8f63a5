import { type DataSource } from 'typeorm';
import { type Logger } from '../../../../lib/src';
import { clawbackPartners } from '../persistence/clawbacks.repository';
import { lockFunding } from '../persistence/funding.repository';
import { claimExpiredHolds, markHoldsExpired } from '../persistence/holds.repository';
import { lockAccounts, tryLockAccount } from '../persistence/ledger.repository';
import { accountsWithExpiredLots } from '../persistence/lots.repository';
import { noticeExpiringLots } from '../persistence/webhooks.repository';
import { claimTierDecayCheck, completeTierDecayCheck, noticeAgedOutTiers } from '../persistence/tier-decay.repository';
import { expireDueLots, settleClawbacks } from './member-ledger';

/**
 * The ledger's clockwork, run on a timer by every points instance (jobs/ledger-sweeper.job.ts; safe in
 * parallel: rows are claimed with FOR UPDATE SKIP LOCKED, and every change re-checks its condition under
 * the lock):
 * - open holds past their expiry (database time) become EXPIRED and release their points;
 * - lots past their expiry move their remaining points to the coalition's breakage account, one EXPIRY
 *   transaction per member. Points held by open holds are left until the holds resolve, so a hold
 *   placed before expiry can still be captured;
 * - once a month, member.tier_changed for members whose tier fell as qualifying points aged out of the
 *   12-month window (noticeTierDecay).
 */
export class MaintenanceService {
  constructor(
    private readonly dataSource: DataSource,
    /** Where the sweeper job reports a failed sweep. */
    readonly logger: Logger,
    /** points.expiring notices for lots expiring within this many days (0: none). */
    private readonly expiringNoticeDays = 0,
  ) {}

  async sweep(): Promise<{ holds: number; lots: number; notices: number }> {
    const holds = await this.expireHolds();
    const lots = await this.expireLots();
    const notices = (await this.noticeExpiring()) + (await this.noticeTierDecay());
    return { holds, lots, notices };
  }

  /**
   * member.tier_changed when qualifying points age out: at a month's start the bucket of twelve months before
   * leaves the window with no earn or reversal to fire the tier trigger. The first sweep of the month (on any
   * instance: the month's row in tier_decay_checks is locked with SKIP LOCKED and marked done in the same
   * transaction) writes one notice per member whose tier fell; later sweeps that month cost one lookup.
   */
  async noticeTierDecay(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await claimTierDecayCheck(manager))) return 0;
      const notices = await noticeAgedOutTiers(manager);
      await completeTierDecayCheck(manager);
      return notices;
    });
  }

  /** points.expiring: one notice per member and expiry day within the notice window, once (see noticeExpiringLots). */
  async noticeExpiring(): Promise<number> {
    if (this.expiringNoticeDays <= 0) return 0;
    return noticeExpiringLots(this.dataSource.manager, this.expiringNoticeDays);
  }

  async expireHolds(batch = 500): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await claimExpiredHolds(manager, batch);
      if (due.length === 0) return 0;
      // Hold, then account, as capture and void lock them; accounts in a fixed order, so two sweepers
      // never wait on each other in a cycle. The hold trigger then releases each hold's points.
      const accounts = new Map(due.map((h) => [h.account_id, h.member_id]));
      await lockAccounts(manager, [...accounts.keys()]);
      await markHoldsExpired(manager, due.map((h) => h.id));
      // Every prepaid block the clawback repayments below may refill, locked at once and in order.
      await lockFunding(manager, await clawbackPartners(manager, [...accounts.keys()]));
      for (const [accountId, memberId] of [...accounts].sort(([a], [b]) => (a < b ? -1 : 1))) await settleClawbacks(manager, accountId, memberId);
      return due.length;
    });
  }

  /** Every account with expired lots, paged by account id so that accounts stuck behind holds never starve the rest. */
  async expireLots(batch = 200): Promise<number> {
    let expired = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const due = await accountsWithExpiredLots(this.dataSource.manager, after, batch);
      if (due.length === 0) return expired;
      after = due[due.length - 1];
      for (const accountId of due) {
        expired += await this.dataSource.transaction(async (manager) => {
          const account = await tryLockAccount(manager, accountId);
          if (!account) return 0;
          return Number(await expireDueLots(manager, accountId, account.ownerId));
        });
      }
    }
  }
}
