import { type DataSource } from 'typeorm';
import { badInput, currencyExponent, forbidden, isAdmin, notFound, requireAdmin, sql, validate, type Viewer } from '../../../shared/src';
import { netPosition, parseMicros, rounded, type RoundedValue } from '../domain/settlement.rules';
import { type DirectoryClient } from '../clients/directory.client';

/** A period [from, to): ISO 8601 times with a zone, from inclusive, to exclusive. */
export interface Period {
  from: Date;
  to: Date;
}

export interface PointsAndValue {
  points: bigint;
  value: RoundedValue;
}

export interface Flow {
  /** The other partner: the issuer (for points this partner honoured) or the honourer (for its issued points). */
  partnerId: string;
  points: bigint;
  value: RoundedValue;
}

export interface Statement {
  partnerId: string;
  currency: string;
  period: Period;
  /** Net points issued: earned − refunded − clawed back, and the parts. */
  issued: PointsAndValue;
  earned: PointsAndValue;
  refunded: PointsAndValue;
  clawedBack: PointsAndValue;
  /** Net points honoured: redeemed − returned, and the parts. */
  honoured: PointsAndValue;
  redeemed: PointsAndValue;
  returned: PointsAndValue;
  breakage: PointsAndValue;
  /** Points this partner issued that members gave to charities in the period, at their issue price (not part of net). */
  donated: PointsAndValue;
  net: bigint;
  roundingRemainder: bigint;
  /** Points honoured here by issuer, valued at this partner's reimbursement snapshots. */
  honouredByIssuer: Flow[];
  /** This partner's points honoured elsewhere, valued at this partner's issue price snapshots. */
  issuedHonouredBy: Flow[];
  /** Points moved without a price snapshot (written before snapshots existed); valued at zero. */
  unpricedPoints: bigint;
}

export interface CurrencyTotal {
  currency: string;
  issued: PointsAndValue;
  honoured: PointsAndValue;
  breakage: PointsAndValue;
  donated: PointsAndValue;
  net: bigint;
  roundingRemainder: bigint;
}

export interface LiabilityLine {
  partnerId: string;
  currency: string | null;
  outstandingPoints: bigint;
  issueValue: RoundedValue;
  redemptionValue: RoundedValue | null;
  expiredPoints: bigint;
}

export interface AgeingBucket {
  partnerId: string;
  month: string;
  points: bigint;
}

const ZERO: PointsAndValue = { points: 0n, value: { exact: 0n, rounded: 0n } };

/** The most a statement period may span: a statement is a report, not a full-ledger scan. */
const MAX_PERIOD_DAYS = 400;

interface Row {
  partner_id: string;
  currency: string | null;
  points: string;
  value: string;
  unpriced: string;
}

/**
 * Coalition economics read from the ledger: settlement statements per partner and coalition-wide,
 * outstanding-points liability and its ageing. Every figure is summed from postings and lot movements
 * with the price snapshot each transaction carries, so later changes of terms never reprice history.
 * Access: the admin any partner; a partner token with reports:read only its own (another partner's
 * answers NOT_FOUND exactly like a missing partner).
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND.
 */
export class EconomicsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
  ) {}

  period(fromInput: string, toInput: string): Period {
    const from = validate.instant('from', fromInput);
    const to = validate.instant('to', toInput);
    if (to.getTime() <= from.getTime()) throw badInput('to', 'must be later than from');
    if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) throw badInput('to', `must be at most ${MAX_PERIOD_DAYS} days after from`);
    return { from, to };
  }

  /** Who may read `partnerId`'s reports; answers NOT_FOUND for another tenant, as for a missing partner. */
  private authorize(viewer: Viewer, partnerIdInput: string): string {
    if (!isAdmin(viewer) && !viewer.scopes.has('reports:read')) throw forbidden('Requires scope reports:read or admin');
    if (!isAdmin(viewer) && !viewer.partnerId) throw forbidden('Requires a partner token with reports:read, or admin');
    if (isAdmin(viewer) && !validate.isUuid(partnerIdInput)) throw badInput('partnerId', 'must be a valid id');
    const partnerId = validate.isUuid(partnerIdInput) ? partnerIdInput.toLowerCase() : null;
    if (!isAdmin(viewer) && partnerId !== viewer.partnerId) throw notFound('Partner');
    if (!partnerId) throw notFound('Partner');
    return partnerId;
  }

  async statement(viewer: Viewer, partnerIdInput: string, fromInput: string, toInput: string, requestId: string): Promise<Statement> {
    const partnerId = this.authorize(viewer, partnerIdInput);
    const period = this.period(fromInput, toInput);
    const partner = await this.directory.partner(viewer, partnerId, requestId);
    if (!partner) throw notFound('Partner');
    const statements = await this.statements(period, partnerId, new Map([[partnerId, partner.currency]]), async () => partner.currency);
    return statements.get(partnerId) ?? emptyStatement(partnerId, partner.currency, period);
  }

  /** Every partner with activity in the period, and totals per currency. Admin only. */
  async coalition(viewer: Viewer, fromInput: string, toInput: string, requestId: string): Promise<{ period: Period; statements: Statement[]; totals: CurrencyTotal[] }> {
    requireAdmin(viewer);
    const period = this.period(fromInput, toInput);
    const statements = [...(await this.statements(period, null, new Map(), (id) => this.directory.partner(viewer, id, requestId).then((p) => p?.currency ?? null))).values()].sort(
      (a, b) => (a.partnerId < b.partnerId ? -1 : 1),
    );
    const totals = new Map<string, CurrencyTotal>();
    for (const s of statements) {
      const t = totals.get(s.currency) ?? { currency: s.currency, issued: ZERO, honoured: ZERO, breakage: ZERO, donated: ZERO, net: 0n, roundingRemainder: 0n };
      totals.set(s.currency, {
        currency: s.currency,
        issued: add(t.issued, s.issued),
        honoured: add(t.honoured, s.honoured),
        breakage: add(t.breakage, s.breakage),
        donated: add(t.donated, s.donated),
        net: t.net + s.net,
        roundingRemainder: t.roundingRemainder + s.roundingRemainder,
      });
    }
    return { period, statements, totals: [...totals.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)) };
  }

  /**
   * Statements for one partner or (partnerId null) every partner with activity, keyed by partner.
   * `currencies` gives known currencies for partners whose activity carries no snapshot.
   */
  private async statements(
    period: Period,
    partnerId: string | null,
    currencies: Map<string, string>,
    currencyOf: (partnerId: string) => Promise<string | null>,
  ): Promise<Map<string, Statement>> {
    const manager = this.dataSource.manager;
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
    const accounts = await sql<Row & { account: string; kind: string }>(
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
    const breakage = await sql<Row>(
      manager,
      `SELECT partner_id, currency, sum(points)::text AS points, sum(value)::text AS value, sum(unpriced)::text AS unpriced FROM (
         SELECT l.partner_id::text, e.price_currency AS currency, sum(-m.points) AS points, sum(-m.points * coalesce(e.unit_price, 0)) AS value,
                sum(CASE WHEN e.unit_price IS NULL THEN -m.points ELSE 0 END) AS unpriced
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
    const donated = await sql<Row>(
      manager,
      `SELECT l.partner_id::text AS partner_id, e.price_currency AS currency, sum(-m.points)::text AS points,
              coalesce(sum(-m.points * coalesce(e.unit_price, 0)), 0)::text AS value,
              coalesce(sum(CASE WHEN e.unit_price IS NULL THEN -m.points ELSE 0 END), 0)::text AS unpriced
         FROM lot_movements m JOIN transactions t ON t.id = m.transaction_id AND t.kind = 'DONATION'
         JOIN lots l ON l.id = m.lot_id JOIN transactions e ON e.id = l.transaction_id
        WHERE ${inPeriod('t')} AND ($3::uuid IS NULL OR l.partner_id = $3) GROUP BY 1, 2`,
      params,
    );
    // Provenance of honoured points: which issuers' lots each redemption (and reversed redemption) drew on.
    const flows = await sql<{ honourer: string; issuer: string; points: string; honourer_value: string; honourer_currency: string | null; issuer_value: string; issuer_currency: string | null }>(
      manager,
      `SELECT t.partner_id::text AS honourer, l.partner_id::text AS issuer, sum(-m.points)::text AS points,
              t.price_currency AS honourer_currency, coalesce(sum(-m.points * coalesce(t.unit_price, 0)), 0)::text AS honourer_value,
              e.price_currency AS issuer_currency, coalesce(sum(-m.points * coalesce(e.unit_price, 0)), 0)::text AS issuer_value
         FROM lot_movements m JOIN transactions t ON t.id = m.transaction_id
         JOIN lots l ON l.id = m.lot_id JOIN transactions e ON e.id = l.transaction_id
        WHERE ${inPeriod('t')} AND ($3::uuid IS NULL OR t.partner_id = $3 OR l.partner_id = $3)
          AND (t.kind = 'REDEEM' OR (t.kind = 'REVERSAL' AND EXISTS (SELECT 1 FROM transactions o WHERE o.id = t.reverses AND o.kind = 'REDEEM')))
        GROUP BY 1, 2, 4, 6`,
      params,
    );

    const raw = new Map<string, { currency: string | null; lines: Map<string, { points: bigint; exact: bigint }>; unpriced: bigint; byIssuer: Map<string, { points: bigint; exact: bigint }>; byHonourer: Map<string, { points: bigint; exact: bigint }> }>();
    const entry = (id: string) => {
      let e = raw.get(id);
      if (!e) {
        e = { currency: currencies.get(id) ?? null, lines: new Map(), unpriced: 0n, byIssuer: new Map(), byHonourer: new Map() };
        raw.set(id, e);
      }
      return e;
    };
    const setCurrency = (id: string, currency: string | null) => {
      const e = entry(id);
      if (!currency) return;
      // A partner's currency never changes, so neither do its snapshots' currency: a mix means corruption.
      if (e.currency && e.currency !== currency) throw new Error(`partner ${id} has postings in ${e.currency} and ${currency}`);
      e.currency = currency;
    };
    const addTo = (map: Map<string, { points: bigint; exact: bigint }>, key: string, points: bigint, exact: bigint) => {
      const cur = map.get(key) ?? { points: 0n, exact: 0n };
      map.set(key, { points: cur.points + points, exact: cur.exact + exact });
    };
    for (const r of accounts.rows) {
      setCurrency(r.partner_id, r.currency);
      const e = entry(r.partner_id);
      // Issued accounts are debited when points are issued: flip the sign so issuing counts positive.
      const sign = r.account === 'PARTNER_ISSUED' ? -1n : 1n;
      addTo(e.lines, `${r.account}:${r.kind}`, sign * BigInt(r.points), sign * parseMicros(r.value));
      e.unpriced += absolute(BigInt(r.unpriced));
    }
    for (const r of breakage.rows) {
      setCurrency(r.partner_id, r.currency);
      const e = entry(r.partner_id);
      addTo(e.lines, 'BREAKAGE', BigInt(r.points), parseMicros(r.value));
      e.unpriced += absolute(BigInt(r.unpriced));
    }
    for (const r of donated.rows) {
      setCurrency(r.partner_id, r.currency);
      const e = entry(r.partner_id);
      addTo(e.lines, 'DONATED', BigInt(r.points), parseMicros(r.value));
      e.unpriced += absolute(BigInt(r.unpriced));
    }
    for (const r of flows.rows) {
      if (partnerId === null || r.honourer === partnerId) {
        setCurrency(r.honourer, r.honourer_currency);
        addTo(entry(r.honourer).byIssuer, r.issuer, BigInt(r.points), parseMicros(r.honourer_value));
      }
      if (partnerId === null || r.issuer === partnerId) {
        setCurrency(r.issuer, r.issuer_currency);
        addTo(entry(r.issuer).byHonourer, r.honourer, BigInt(r.points), parseMicros(r.issuer_value));
      }
    }

    const result = new Map<string, Statement>();
    for (const [id, e] of raw) {
      // Only a partner whose activity all predates price snapshots has no currency here: ask its owner.
      const currency = e.currency ?? currencies.get(id) ?? (await currencyOf(id));
      if (!currency) throw new Error(`no currency known for partner ${id}`);
      const exponent = currencyExponent(currency);
      const line = (...keys: string[]): PointsAndValue => {
        let points = 0n;
        let exact = 0n;
        for (const k of keys) {
          points += e.lines.get(k)?.points ?? 0n;
          exact += e.lines.get(k)?.exact ?? 0n;
        }
        return { points, value: rounded(exact, exponent) };
      };
      const issued = line('PARTNER_ISSUED:EARN', 'PARTNER_ISSUED:REVERSAL', 'PARTNER_ISSUED:CLAWBACK');
      const honoured = line('PARTNER_HONOURED:REDEEM', 'PARTNER_HONOURED:REVERSAL');
      const { net, remainder } = netPosition(issued.value, honoured.value);
      const flowList = (map: Map<string, { points: bigint; exact: bigint }>): Flow[] =>
        [...map].filter(([, f]) => f.points !== 0n || f.exact !== 0n).map(([other, f]) => ({ partnerId: other, points: f.points, value: rounded(f.exact, exponent) })).sort((a, b) => (a.partnerId < b.partnerId ? -1 : 1));
      result.set(id, {
        partnerId: id,
        currency,
        period,
        issued,
        earned: line('PARTNER_ISSUED:EARN'),
        refunded: negate(line('PARTNER_ISSUED:REVERSAL')),
        clawedBack: negate(line('PARTNER_ISSUED:CLAWBACK')),
        honoured,
        redeemed: line('PARTNER_HONOURED:REDEEM'),
        returned: negate(line('PARTNER_HONOURED:REVERSAL')),
        breakage: line('BREAKAGE'),
        donated: line('DONATED'),
        net,
        roundingRemainder: remainder,
        honouredByIssuer: flowList(e.byIssuer),
        issuedHonouredBy: flowList(e.byHonourer),
        unpricedPoints: e.unpriced,
      });
    }
    return result;
  }

  /**
   * Outstanding points per issuing partner (what members still hold of each partner's issue), valued at
   * the issue price each lot was bought at and at the issuer's reimbursement in force now (what the
   * coalition would pay if they were all honoured at those terms), and the points that expired from its
   * lots in [from, to). The admin all partners (or one), a partner with reports:read its own.
   */
  async liability(viewer: Viewer, partnerIdInput: string | null, fromInput: string, toInput: string, requestId: string): Promise<LiabilityLine[]> {
    const partnerId = partnerIdInput == null ? (requireAdmin(viewer), null) : this.authorize(viewer, partnerIdInput);
    const period = this.period(fromInput, toInput);
    const { rows } = await sql<{ partner_id: string; currency: string | null; outstanding: string; value: string; expired: string }>(
      this.dataSource.manager,
      `WITH o AS (
         SELECT l.partner_id, max(e.price_currency) AS currency, sum(l.remaining) AS outstanding, sum(l.remaining * coalesce(e.unit_price, 0)) AS value
           FROM lots l JOIN transactions e ON e.id = l.transaction_id
          WHERE l.remaining > 0 AND ($3::uuid IS NULL OR l.partner_id = $3) GROUP BY 1
       ), x AS (
         SELECT l.partner_id, sum(-m.points) AS expired
           FROM lot_movements m JOIN transactions t ON t.id = m.transaction_id AND t.kind = 'EXPIRY' JOIN lots l ON l.id = m.lot_id
          WHERE t.created_at >= $1 AND t.created_at < $2 AND ($3::uuid IS NULL OR l.partner_id = $3) GROUP BY 1
       )
       SELECT coalesce(o.partner_id, x.partner_id)::text AS partner_id, o.currency, coalesce(o.outstanding, 0)::text AS outstanding,
              coalesce(o.value, 0)::text AS value, coalesce(x.expired, 0)::text AS expired
         FROM o FULL JOIN x ON x.partner_id = o.partner_id ORDER BY 1`,
      [period.from, period.to, partnerId],
    );
    const lines: LiabilityLine[] = [];
    for (const r of rows) {
      const face = await this.directory.partner(viewer, r.partner_id, requestId);
      const currency = r.currency ?? face?.currency ?? null;
      const exponent = currency ? currencyExponent(currency) : 2;
      const outstanding = BigInt(r.outstanding);
      lines.push({
        partnerId: r.partner_id,
        currency,
        outstandingPoints: outstanding,
        issueValue: rounded(parseMicros(r.value), exponent),
        redemptionValue: face?.reimbursement != null ? rounded(outstanding * parseMicros(face.reimbursement), exponent) : null,
        expiredPoints: BigInt(r.expired),
      });
    }
    if (partnerId && lines.length === 0) {
      const face = await this.directory.partner(viewer, partnerId, requestId);
      if (!face) throw notFound('Partner');
      const zero = { exact: 0n, rounded: 0n };
      lines.push({ partnerId, currency: face.currency, outstandingPoints: 0n, issueValue: zero, redemptionValue: face.reimbursement != null ? zero : null, expiredPoints: 0n });
    }
    return lines;
  }

  /**
   * Provenance of transactions: for each, the lots it drew on or restored, by issuing partner (negative:
   * points taken from that issuer's lots; positive: given back). Rows in key order, for a DataLoader.
   */
  async provenance(transactionIds: readonly string[]): Promise<{ partnerId: string; points: bigint }[][]> {
    const { rows } = await sql<{ transaction_id: string; partner_id: string; points: string }>(
      this.dataSource.manager,
      `SELECT m.transaction_id::text, l.partner_id::text, sum(m.points)::text AS points
         FROM lot_movements m JOIN lots l ON l.id = m.lot_id WHERE m.transaction_id = ANY($1::uuid[])
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [transactionIds.filter(validate.isUuid)],
    );
    return transactionIds.map((id) => rows.filter((r) => r.transaction_id === id).map((r) => ({ partnerId: r.partner_id, points: BigInt(r.points) })));
  }

  /** Outstanding points by issuing partner and expiry month (UTC, "YYYY-MM"), soonest first. */
  async ageing(viewer: Viewer, partnerIdInput: string | null): Promise<AgeingBucket[]> {
    const partnerId = partnerIdInput == null ? (requireAdmin(viewer), null) : this.authorize(viewer, partnerIdInput);
    const { rows } = await sql<{ partner_id: string; month: string; points: string }>(
      this.dataSource.manager,
      `SELECT partner_id::text, to_char(date_trunc('month', expires_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, sum(remaining)::text AS points
         FROM lots WHERE remaining > 0 AND ($1::uuid IS NULL OR partner_id = $1) GROUP BY 1, 2 ORDER BY 2, 1`,
      [partnerId],
    );
    return rows.map((r) => ({ partnerId: r.partner_id, month: r.month, points: BigInt(r.points) }));
  }
}

/** Microsecond-exact values times whole points: `outstanding * micros` stays in micros. */
function add(a: PointsAndValue, b: PointsAndValue): PointsAndValue {
  return { points: a.points + b.points, value: { exact: a.value.exact + b.value.exact, rounded: a.value.rounded + b.value.rounded } };
}

function negate(p: PointsAndValue): PointsAndValue {
  return { points: -p.points, value: { exact: -p.value.exact, rounded: -p.value.rounded } };
}

function absolute(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function emptyStatement(partnerId: string, currency: string, period: Period): Statement {
  return {
    partnerId,
    currency,
    period,
    issued: ZERO,
    earned: ZERO,
    refunded: ZERO,
    clawedBack: ZERO,
    honoured: ZERO,
    redeemed: ZERO,
    returned: ZERO,
    breakage: ZERO,
    donated: ZERO,
    net: 0n,
    roundingRemainder: 0n,
    honouredByIssuer: [],
    issuedHonouredBy: [],
    unpricedPoints: 0n,
  };
}
