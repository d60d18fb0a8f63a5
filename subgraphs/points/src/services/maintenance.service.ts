import { type DataSource } from 'typeorm';
import { sql, type Logger } from '../../../shared/src';
import { consumeLots, ensureAccount, insertTransaction, post } from '../persistence/ledger.repository';

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

  start(intervalMs: number): () => void {
    if (intervalMs <= 0) return () => undefined;
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.sweep()
        .catch((error: unknown) => this.logger.warn('ledger sweep failed', { error }))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async sweep(): Promise<{ holds: number; lots: number }> {
    const holds = await this.expireHolds();
    const lots = await this.expireLots();
    return { holds, lots };
  }

  async expireHolds(batch = 500): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const { rows } = await sql<{ account_id: string; points: string }>(
        manager,
        `WITH due AS (
           SELECT id FROM holds WHERE status = 'OPEN' AND expires_at <= now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
         )
         UPDATE holds h SET status = 'EXPIRED', finalized_at = now() FROM due WHERE h.id = due.id RETURNING h.account_id, h.points`,
        [batch],
      );
      const byAccount = new Map<string, bigint>();
      for (const r of rows) byAccount.set(r.account_id, (byAccount.get(r.account_id) ?? 0n) + BigInt(r.points));
      for (const [accountId, points] of [...byAccount].sort(([a], [b]) => (a < b ? -1 : 1))) {
        await sql(manager, 'UPDATE accounts SET pending = pending - $2 WHERE id = $1', [accountId, points.toString()]);
      }
      return rows.length;
    });
  }

  async expireLots(batch = 200): Promise<number> {
    const { rows: due } = await sql<{ account_id: string }>(
      this.dataSource.manager,
      'SELECT DISTINCT account_id FROM lots WHERE remaining > 0 AND expires_at <= now() LIMIT $1',
      [batch],
    );
    let expired = 0;
    for (const { account_id: accountId } of due) {
      expired += await this.dataSource.transaction(async (manager) => {
        const { rows } = await sql<{ owner_id: string; balance: string; pending: string }>(
          manager,
          `SELECT owner_id, balance, pending FROM accounts WHERE id = $1 FOR UPDATE SKIP LOCKED`,
          [accountId],
        );
        const account = rows[0];
        if (!account) return 0;
        const { rows: sum } = await sql<{ points: string }>(
          manager,
          'SELECT coalesce(sum(remaining), 0)::text AS points FROM lots WHERE account_id = $1 AND remaining > 0 AND expires_at <= now()',
          [accountId],
        );
        const spendable = BigInt(account.balance) - BigInt(account.pending);
        const points = BigInt(sum[0].points) < spendable ? BigInt(sum[0].points) : spendable;
        if (points <= 0n) return 0;
        const breakage = await ensureAccount(manager, 'COALITION_BREAKAGE', null);
        const transactionId = await insertTransaction(manager, { kind: 'EXPIRY', memberId: account.owner_id, reference: 'points expired', points: -points });
        await post(manager, transactionId, [
          { accountId, amount: -points },
          { accountId: breakage, amount: points },
        ]);
        await consumeLots(manager, transactionId, accountId, points, { onlyExpired: true });
        return Number(points);
      });
    }
    return expired;
  }
}
