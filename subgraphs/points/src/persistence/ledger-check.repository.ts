import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

export interface LedgerCheck {
  transactions: bigint;
  postings: bigint;
  /** Transactions whose postings do not sum to zero. */
  unbalancedTransactions: bigint;
  /** Maintained balances that differ from the sum of their postings. */
  balanceDrift: bigint;
  /** Member accounts whose open lots do not sum to the balance. */
  lotDrift: bigint;
  /** Member accounts whose `pending` differs from their open holds. */
  pendingDrift: bigint;
  /** Transactions whose `points` differ from what they moved on member accounts. */
  pointsMismatch: bigint;
}

/**
 * Counts, in one statement, what the ledger's own rows say against its maintained figures: every
 * transaction balances, and balances, pending and lots equal what the append-only postings and holds
 * say. A full scan of postings, lots and holds.
 */
export async function countLedgerDrift(manager: EntityManager): Promise<LedgerCheck> {
  const { rows } = await sql<Record<keyof LedgerCheck, string>>(
    manager,
    `SELECT
       (SELECT count(*) FROM transactions)::text AS "transactions",
       (SELECT count(*) FROM postings)::text AS "postings",
       (SELECT count(*) FROM (SELECT 1 FROM postings GROUP BY transaction_id HAVING sum(amount) <> 0) x)::text AS "unbalancedTransactions",
       (SELECT count(*) FROM (SELECT 1 FROM accounts a LEFT JOIN postings p ON p.account_id = a.id
          WHERE a.maintained GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(p.amount), 0)) x)::text AS "balanceDrift",
       (SELECT count(*) FROM (SELECT 1 FROM accounts a LEFT JOIN lots l ON l.account_id = a.id
          WHERE a.kind = 'MEMBER' GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(l.remaining), 0)) x)::text AS "lotDrift",
       (SELECT count(*) FROM (SELECT 1 FROM accounts a LEFT JOIN holds h ON h.account_id = a.id AND h.status = 'OPEN'
          WHERE a.kind = 'MEMBER' GROUP BY a.id, a.pending HAVING a.pending <> coalesce(sum(h.points), 0)) x)::text AS "pendingDrift",
       (SELECT count(*) FROM (SELECT 1 FROM transactions t LEFT JOIN postings p ON p.transaction_id = t.id
          LEFT JOIN accounts a ON a.id = p.account_id AND a.kind = 'MEMBER'
          GROUP BY t.id, t.points HAVING t.points <> coalesce(sum(CASE WHEN a.id IS NOT NULL THEN p.amount END), 0)) x)::text AS "pointsMismatch"`,
  );
  const r = rows[0];
  return {
    transactions: BigInt(r.transactions),
    postings: BigInt(r.postings),
    unbalancedTransactions: BigInt(r.unbalancedTransactions),
    balanceDrift: BigInt(r.balanceDrift),
    lotDrift: BigInt(r.lotDrift),
    pendingDrift: BigInt(r.pendingDrift),
    pointsMismatch: BigInt(r.pointsMismatch),
  };
}
