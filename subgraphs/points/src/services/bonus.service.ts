import { type DataSource } from 'typeorm';
import { claimAccountsWithoutWelcome, hasWelcome, recordWelcome } from '../persistence/bonuses.repository';
import { issuePoints, issuerAccount } from '../persistence/issuance.repository';
import { type LedgerConfig } from './ledger.config';

/**
 * Welcome bonuses, paid by the ledger sweeper (every points instance runs it): each member whose points
 * account was opened in the last WELCOME_BONUS_WINDOW_DAYS and has no welcome row gets WELCOME_BONUS_POINTS
 * from the coalition's marketing budget (a BONUS with a WELCOME award, at the marketing price), once.
 *
 * Why a sweeper and not a call from the members subgraph: points learns of a member when its account opens
 * (its first earn, grant or read that writes), and the account row is the one thing all instances agree on.
 * The sweeper claims accounts with FOR UPDATE SKIP LOCKED and writes the bonus and its welcome_bonuses row
 * (primary key: the member) in one transaction, so two sweepers never pay twice, a crash pays nothing or
 * everything, and the next sweep completes what a crash left. Members enrolled but never seen by the ledger
 * get theirs at their first ledger activity (within the window). Accounts that existed before the rule
 * are marked as such by its migration.
 */
export class BonusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LedgerConfig,
  ) {}

  /** One round: up to `batch` welcome bonuses paid. Nothing when WELCOME_BONUS_POINTS is 0. */
  async sweepWelcome(batch = 200): Promise<number> {
    const points = BigInt(this.config.bonuses.welcomePoints);
    if (points <= 0n) return 0;
    return this.dataSource.transaction(async (manager) => {
      const due = await claimAccountsWithoutWelcome(manager, this.config.bonuses.welcomeWindowDays, batch);
      if (due.length === 0) return 0;
      const fromAccount = await issuerAccount(manager, null);
      let paid = 0;
      for (const { accountId, memberId } of due) {
        // Claimed in a snapshot taken before another sweeper's commit: look again now that the account is ours.
        if (await hasWelcome(manager, memberId)) continue;
        const written = await issuePoints(manager, {
          kind: 'BONUS',
          memberId,
          memberAccountId: accountId,
          issuer: { partnerId: null, unitPrice: this.config.coalition.marketingPointPrice, currency: this.config.coalition.currency },
          issuerAccountId: fromAccount,
          points,
          reference: 'welcome bonus',
          lifetimeMonths: this.config.expiryMonths,
          award: { kind: 'WELCOME', ruleId: null },
        });
        // The account lock makes this the only writer for the member; the key makes it once regardless.
        if (!(await recordWelcome(manager, memberId, written.id, points))) throw new Error(`welcome bonus for ${memberId} already paid`);
        paid += 1;
      }
      return paid;
    });
  }
}

