import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { nonZeroAwards, type Award, type AwardKind } from '../domain/award.rules';

/**
 * transaction_awards: why a transaction gave each point (see migration 1739300000000-transaction-awards).
 * Written in the transaction's own database transaction; the database checks at commit that a
 * transaction's awards add up to its points.
 */

/** Writes a transaction's awards in one statement (zero awards skipped; positions 0..n-1 in order). */
export async function insertAwards(manager: EntityManager, transactionId: string, awards: readonly Award[]): Promise<void> {
  const rows = nonZeroAwards(awards);
  if (rows.length === 0) return;
  await sql(
    manager,
    `INSERT INTO transaction_awards (transaction_id, position, kind, points, funded_by, rule_id)
     SELECT $1, a.position - 1, a.kind, a.points, a.funded_by, a.rule_id
       FROM unnest($2::text[], $3::bigint[], $4::uuid[], $5::text[]) WITH ORDINALITY AS a (kind, points, funded_by, rule_id, position)`,
    [transactionId, rows.map((a) => a.kind), rows.map((a) => a.points.toString()), rows.map((a) => a.fundedBy), rows.map((a) => a.ruleId)],
  );
}

/** The awards of each transaction, in order (a transaction with none answers []). */
export async function awardsOf(manager: EntityManager, transactionIds: readonly string[]): Promise<Map<string, Award[]>> {
  const byTransaction = new Map<string, Award[]>(transactionIds.map((id) => [id, []]));
  if (transactionIds.length === 0) return byTransaction;
  const { rows } = await sql<{ transaction_id: string; kind: AwardKind; points: string; funded_by: string | null; rule_id: string | null }>(
    manager,
    `SELECT transaction_id, kind, points, funded_by, rule_id FROM transaction_awards
      WHERE transaction_id = ANY($1::uuid[]) ORDER BY transaction_id, position`,
    [[...transactionIds]],
  );
  for (const r of rows) byTransaction.get(r.transaction_id)?.push({ kind: r.kind, points: BigInt(r.points), fundedBy: r.funded_by, ruleId: r.rule_id });
  return byTransaction;
}
