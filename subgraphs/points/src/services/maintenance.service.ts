import { type DataSource } from 'typeorm';
import { runEvery, sql, type Logger } from '../../../shared/src';
import { clawbackPartners, lockFunding } from './funding.service';
import { expireDueLots, settleClawbacks } from './member-ledger';

/**
 * The ledger's clockwork, run on a timer by every points instance (safe in parallel: rows are claimed
 * with FOR UPDATE SKIP LOCKED, and every change re-checks its condition under the lock):
 * - open holds past their expiry (database time) become EXPIRED and release their points;
 * - lots past their expiry move their remaining points to the coalition's breakage account, one EXPIRY
 *   transaction per member. Points held by open holds are left until the holds resolve, so a hold
 *   placed before expiry can still be captured.
 */
export class MaintenanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): () => Promise<void> {
    return runEvery(intervalMs, () => this.sweep(), (error) => this.logger.warn('ledger sweep failed', { error }));
  }

  async sweep(): Promise<{ holds: number; lots: number }> {
    const holds = await this.expireHolds();
    const lots = await this.expireLots();
    return { holds, lots };
  }

  async expireHolds(batch = 500): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const { rows: due } = await sql<{ id: string; account_id: string; member_id: string }>(
        manager,
        `SELECT id, account_id, member_id FROM holds WHERE status = 'OPEN' AND expires_at <= now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batch],
      );
      if (due.length === 0) return 0;
      // Hold, then account, as capture and void lock them; accounts in a fixed order, so two sweepers
      // never wait on each other in a cycle. The hold trigger then releases each hold's points.
      const accounts = new Map(due.map((h) => [h.account_id, h.member_id]));
      await sql(manager, 'SELECT id FROM accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [[...accounts.keys()]]);
      await sql(manager, `UPDATE holds SET status = 'EXPIRED', finalized_at = now() WHERE id = ANY($1::uuid[])`, [due.map((h) => h.id)]);
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
      const { rows: due } = await sql<{ account_id: string }>(
        this.dataSource.manager,
        'SELECT DISTINCT account_id FROM lots WHERE remaining > 0 AND expires_at <= now() AND account_id > $1 ORDER BY account_id LIMIT $2',
        [after, batch],
      );
      if (due.length === 0) return expired;
      after = due[due.length - 1].account_id;
      for (const { account_id: accountId } of due) {
        expired += await this.dataSource.transaction(async (manager) => {
          const { rows } = await sql<{ owner_id: string }>(manager, 'SELECT owner_id FROM accounts WHERE id = $1 FOR UPDATE SKIP LOCKED', [accountId]);
          if (!rows[0]) return 0;
          return Number(await expireDueLots(manager, accountId, rows[0].owner_id));
        });
      }
    }
  }
}
