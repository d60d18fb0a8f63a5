import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * The ledger read for coalition economics (EconomicsService): what each partner's accounts moved in a
 * period, breakage and donations by issuer, flows between issuers and honourers, liability, provenance and
 * ageing. Read-only. Values are exact decimals as text (points × the price snapshot each transaction
 * carries, coalesced to 0 when it has none), for the caller to parse and round; `unpriced` counts the
 * points moved without a snapshot.
 */

/** A period [from, to): from inclusive, to exclusive. */
export interface PeriodBounds {
  from: Date;
  to: Date;
}

export interface PricedRow {
  /** The issuing partner; null for lots of the coalition's marketing budget. */
  partner_id: string | null;
  currency: string | null;
  points: string;
  value: string;
  unpriced: string;
}

export interface FlowRow {
  honourer: string;
  /** Null: the coalition's marketing budget issued the points. */
  issuer: string | null;
  points: string;
  honourer_value: string;
  honourer_currency: string | null;
  issuer_value: string;
  issuer_currency: string | null;
}

export interface StatementRows {
  /** What postings moved on partner accounts, by account kind and transaction kind. */
  accounts: (PricedRow & { account: string; kind: string })[];
  /** Breakage by issuer. */
  breakage: PricedRow[];
  /** Points given to charities, by issuer. */
  donated: PricedRow[];
  /** Points cashed out, by issuer (null: the coalition's marketing budget). */
  cashedOut: PricedRow[];
  /** Honoured points by honourer and issuer. */
  flows: FlowRow[];
}

/** The rows of the period's statements: one partner's, or (partnerId null) every partner's. */
export async function readStatementRows(manager: EntityManager, period: PeriodBounds, partnerId: string | null): Promise<StatementRows> {
  const params = [period.from, period.to, partnerId];
  const inPeriod = (alias: string) => `${alias}.created_at >= $1 AND ${alias}.created_at < $2`;
  const value = (points: string, price: string) => `coalesce(sum(${points} * coalesce(${price}, 0)), 0)::text AS value,
    coalesce(sum(CASE WHEN ${price} IS NULL THEN ${points} ELSE 0 END), 0)::text AS unpriced`;

  // Partner accounts: what each posting moved, by transaction kind, with the snapshot it carries. Found
  // through the period's transactions (one partner's: a range of transactions_partner_idx), then each
  // one's postings on the partner accounts (their ids worked out once), so a statement costs the period's
  // activity, not every posting the partner accounts ever had, which is the plan PostgreSQL picks otherwise
  // (it guesses a few postings per account). The materialized CTE and the fenced lateral subquery (OFFSET 0)
  // hold that order. A posting on a partner's account always belongs to one of that partner's transactions
  // (the posting trigger, migration 1737000000000), so filtering transactions by partner misses none.
  const accounts = await sql<PricedRow & { account: string; kind: string }>(
    manager,
    `WITH t AS MATERIALIZED (
       SELECT id, kind, price_currency, unit_price FROM transactions t
        WHERE ${inPeriod('t')} AND ${partnerId === null ? '$3::uuid IS NULL' : 't.partner_id = $3'})
     SELECT a.owner_id::text AS partner_id, a.kind AS account, t.kind, t.price_currency AS currency,
            sum(x.amount)::text AS points, ${value('x.amount', 't.unit_price')}
       FROM t CROSS JOIN LATERAL (
         SELECT p.account_id, p.amount FROM postings p
          WHERE p.transaction_id = t.id
            AND p.account_id = ANY (ARRAY(SELECT id FROM accounts WHERE kind IN ('PARTNER_ISSUED', 'PARTNER_HONOURED') AND ($3::uuid IS NULL OR owner_id = $3)))
         OFFSET 0) x
       JOIN accounts a ON a.id = x.account_id
      GROUP BY 1, 2, 3, 4`,
    params,
  );
  // Breakage by issuer: points that expired from its lots (at the earn's price), less expired points
  // a refund took back from breakage (at the refund's price, the earn's).
  const breakage = await sql<PricedRow>(
    manager,
    `SELECT partner_id, currency, sum(points)::text AS points, sum(value)::text AS value, sum(unpriced)::text AS unpriced FROM (
       SELECT l.partner_id::text, coalesce(l.price_currency, e.price_currency) AS currency, sum(-m.points) AS points,
              sum(-m.points * coalesce(l.unit_price, e.unit_price, 0)) AS value,
              sum(CASE WHEN coalesce(l.unit_price, e.unit_price) IS NULL THEN -m.points ELSE 0 END) AS unpriced
         FROM lot_movements m JOIN transactions t ON t.id = m.transaction_id AND t.kind = 'EXPIRY'
         JOIN lots l ON l.id = m.lot_id JOIN transactions e ON e.id = l.transaction_id
        WHERE ${inPeriod('t')} AND ($3::uuid IS NULL OR l.partner_id = $3) GROUP BY 1, 2
       UNION ALL
       SELECT t.partner_id::text, t.price_currency, sum(p.amount), sum(p.amount * coalesce(t.unit_price, 0)),
              sum(CASE WHEN t.unit_price IS NULL THEN p.amount ELSE 0 END)
         FROM postings p JOIN accounts a ON a.id = p.account_id AND a.kind = 'COALITION_BREAKAGE'
         JOIN transactions t ON t.id = p.transaction_id AND t.kind = 'REVERSAL'
        WHERE ${inPeriod('t')} AND ($3::uuid IS NULL OR t.partner_id = $3) GROUP BY 1, 2
     ) b GROUP BY 1, 2`,
    params,
  );
  // Donated by issuer: points members gave to charities from this partner's lots, at the earn's price.
  const donated = await sql<PricedRow>(
    manager,
    `SELECT l.partner_id::text AS partner_id, coalesce(l.price_currency, e.price_currency) AS currency, sum(-m.points)::text AS points,
            coalesce(sum(-m.points * coalesce(l.unit_price, e.unit_price, 0)), 0)::text AS value,
            coalesce(sum(CASE WHEN coalesce(l.unit_price, e.unit_price) IS NULL THEN -m.points ELSE 0 END), 0)::text AS unpriced
       FROM lot_movements m JOIN transactions t ON t.id = m.transaction_id AND t.kind = 'DONATION'
       JOIN lots l ON l.id = m.lot_id JOIN transactions e ON e.id = l.transaction_id
      WHERE ${inPeriod('t')} AND ($3::uuid IS NULL OR l.partner_id = $3) GROUP BY 1, 2`,
    params,
  );
  // Cashed out by issuer: points members turned into money from this partner's lots (net of failed payouts
  // given back), at the issue price they were bought at. The coalition pays the member; the issuer's points
  // are gone, as if the coalition had honoured them.
  const cashedOut = await sql<PricedRow>(
    manager,
    `SELECT l.partner_id::text AS partner_id, coalesce(l.price_currency, e.price_currency) AS currency, sum(-m.points)::text AS points,
            coalesce(sum(-m.points * coalesce(l.unit_price, e.unit_price, 0)), 0)::text AS value,
            coalesce(sum(CASE WHEN coalesce(l.unit_price, e.unit_price) IS NULL THEN -m.points ELSE 0 END), 0)::text AS unpriced
       FROM lot_movements m JOIN transactions t ON t.id = m.transaction_id AND t.kind IN ('CASHOUT', 'CASHOUT_RETURN')
       JOIN lots l ON l.id = m.lot_id JOIN transactions e ON e.id = l.transaction_id
      WHERE ${inPeriod('t')} AND ($3::uuid IS NULL OR l.partner_id = $3) GROUP BY 1, 2`,
    params,
  );
  // Provenance of honoured points: which issuers' lots each redemption (and reversed redemption) drew on.
  const flows = await sql<FlowRow>(
    manager,
    `SELECT t.partner_id::text AS honourer, l.partner_id::text AS issuer, sum(-m.points)::text AS points,
            t.price_currency AS honourer_currency, coalesce(sum(-m.points * coalesce(t.unit_price, 0)), 0)::text AS honourer_value,
            coalesce(l.price_currency, e.price_currency) AS issuer_currency, coalesce(sum(-m.points * coalesce(l.unit_price, e.unit_price, 0)), 0)::text AS issuer_value
       FROM lot_movements m JOIN transactions t ON t.id = m.transaction_id
       JOIN lots l ON l.id = m.lot_id JOIN transactions e ON e.id = l.transaction_id
      WHERE ${inPeriod('t')} AND ($3::uuid IS NULL OR t.partner_id = $3 OR l.partner_id = $3)
        AND (t.kind = 'REDEEM' OR (t.kind = 'REVERSAL' AND EXISTS (SELECT 1 FROM transactions o WHERE o.id = t.reverses AND o.kind = 'REDEEM')))
      GROUP BY 1, 2, 4, 6`,
    params,
  );
  return { accounts: accounts.rows, breakage: breakage.rows, donated: donated.rows, cashedOut: cashedOut.rows, flows: flows.rows };
}

export interface CoalitionRows {
  /** Points the coalition's marketing budget issued in the period (lots without a partner), by transaction kind, at their price. */
  issued: (PricedRow & { kind: string })[];
  /** Points members cashed out in the period (net of failed payouts given back), at what the coalition pays per point. */
  cashouts: PricedRow[];
}

/** The coalition's own rows for the coalition statement: what its marketing budget issued, and cashback paid. */
export async function readCoalitionRows(manager: EntityManager, period: PeriodBounds): Promise<CoalitionRows> {
  const issued = await sql<PricedRow & { kind: string }>(
    manager,
    `SELECT e.kind, '' AS partner_id, coalesce(l.price_currency, e.price_currency) AS currency, sum(l.points)::text AS points,
            coalesce(sum(l.points * coalesce(l.unit_price, e.unit_price, 0)), 0)::text AS value,
            coalesce(sum(CASE WHEN coalesce(l.unit_price, e.unit_price) IS NULL THEN l.points ELSE 0 END), 0)::text AS unpriced
       FROM transactions e JOIN lots l ON l.transaction_id = e.id AND l.partner_id IS NULL
      -- The lot each transaction issued, not the copies a merge or a household transfer made of it later.
      WHERE e.created_at >= $1 AND e.created_at < $2 AND l.merged_from IS NULL AND l.transferred_from IS NULL GROUP BY 1, 3`,
    [period.from, period.to],
  );
  const cashouts = await sql<PricedRow>(
    manager,
    `SELECT '' AS partner_id, t.price_currency AS currency, sum(p.amount)::text AS points, coalesce(sum(p.amount * coalesce(t.unit_price, 0)), 0)::text AS value,
            coalesce(sum(CASE WHEN t.unit_price IS NULL THEN p.amount ELSE 0 END), 0)::text AS unpriced
       FROM transactions t JOIN postings p ON p.transaction_id = t.id JOIN accounts a ON a.id = p.account_id AND a.kind = 'COALITION_CASHOUT'
      WHERE t.kind IN ('CASHOUT', 'CASHOUT_RETURN') AND t.created_at >= $1 AND t.created_at < $2 GROUP BY 2`,
    [period.from, period.to],
  );
  return { issued: issued.rows, cashouts: cashouts.rows };
}

export interface LiabilityRow {
  partner_id: string;
  currency: string | null;
  outstanding: string;
  /** Outstanding points × the issue price each lot was bought at. */
  value: string;
  /** Points that expired from the partner's lots in the period. */
  expired: string;
}

/** Outstanding points per issuing partner (one, or every one when partnerId is null), and points expired in the period. */
export async function readLiability(manager: EntityManager, period: PeriodBounds, partnerId: string | null): Promise<LiabilityRow[]> {
  const { rows } = await sql<LiabilityRow>(
    manager,
    `WITH o AS (
       SELECT l.partner_id, max(e.price_currency) AS currency, sum(l.remaining) AS outstanding, sum(l.remaining * coalesce(e.unit_price, 0)) AS value
         FROM lots l JOIN transactions e ON e.id = l.transaction_id
        WHERE l.remaining > 0 AND l.partner_id IS NOT NULL AND ($3::uuid IS NULL OR l.partner_id = $3) GROUP BY 1
     ), x AS (
       SELECT l.partner_id, sum(-m.points) AS expired
         FROM lot_movements m JOIN transactions t ON t.id = m.transaction_id AND t.kind = 'EXPIRY' JOIN lots l ON l.id = m.lot_id
        WHERE t.created_at >= $1 AND t.created_at < $2 AND l.partner_id IS NOT NULL AND ($3::uuid IS NULL OR l.partner_id = $3) GROUP BY 1
     )
     SELECT coalesce(o.partner_id, x.partner_id)::text AS partner_id, o.currency, coalesce(o.outstanding, 0)::text AS outstanding,
            coalesce(o.value, 0)::text AS value, coalesce(x.expired, 0)::text AS expired
       FROM o FULL JOIN x ON x.partner_id = o.partner_id ORDER BY 1`,
    [period.from, period.to, partnerId],
  );
  return rows;
}

/** For each transaction, the points it took from (negative) or gave back to (positive) each issuer's lots. */
export async function readProvenance(manager: EntityManager, transactionIds: readonly string[]): Promise<{ transactionId: string; partnerId: string; points: bigint }[]> {
  const { rows } = await sql<{ transaction_id: string; partner_id: string; points: string }>(
    manager,
    `SELECT m.transaction_id::text, l.partner_id::text, sum(m.points)::text AS points
       FROM lot_movements m JOIN lots l ON l.id = m.lot_id WHERE m.transaction_id = ANY($1::uuid[]) AND l.partner_id IS NOT NULL
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [[...transactionIds]],
  );
  return rows.map((r) => ({ transactionId: r.transaction_id, partnerId: r.partner_id, points: BigInt(r.points) }));
}

/** Outstanding points by issuing partner (one, or all when null) and expiry month (UTC, "YYYY-MM"), soonest first. */
export async function readAgeing(manager: EntityManager, partnerId: string | null): Promise<{ partnerId: string; month: string; points: bigint }[]> {
  const { rows } = await sql<{ partner_id: string; month: string; points: string }>(
    manager,
    `SELECT partner_id::text, to_char(date_trunc('month', expires_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, sum(remaining)::text AS points
       FROM lots WHERE remaining > 0 AND partner_id IS NOT NULL AND ($1::uuid IS NULL OR partner_id = $1) GROUP BY 1, 2 ORDER BY 2, 1`,
    [partnerId],
  );
  return rows.map((r) => ({ partnerId: r.partner_id, month: r.month, points: BigInt(r.points) }));
}
