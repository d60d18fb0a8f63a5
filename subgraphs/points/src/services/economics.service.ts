import { type DataSource } from 'typeorm';
import { badInput, currencyExponent, forbidden, isAdmin, notFound, requireAdmin, validate, type Viewer } from '../../../../lib/src';
import { netPosition, parseMicros, rounded, VALUE_SCALE, type RoundedValue } from '../domain/settlement.rules';
import { type DirectoryClient } from '../clients/directory.client';
import { readAgeing, readCoalitionRows, readLiability, readProvenance, readStatementRows, type PricedRow } from '../persistence/settlement.repository';
import { feesBySeller, feesCollectedByCoalition } from '../persistence/memberships.repository';

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
  /** Goodwill and campaign grants it paid for (part of issued). */
  granted: PointsAndValue;
  /** Welcome, referral and birthday bonuses it paid for (part of issued). */
  bonuses: PointsAndValue;
  /** Points it issued that members cashed out in the period, at their issue price (not part of net: the coalition pays the member). */
  cashedOut: PointsAndValue;
  /** Points the coalition's marketing budget issued that were honoured here, at this partner's reimbursement (part of honoured). */
  honouredFromCoalition: PointsAndValue;
  net: bigint;
  roundingRemainder: bigint;
  /** Points honoured here by issuer, valued at this partner's reimbursement snapshots. */
  honouredByIssuer: Flow[];
  /** This partner's points honoured elsewhere, valued at this partner's issue price snapshots. */
  issuedHonouredBy: Flow[];
  /** Points moved without a price snapshot (written before snapshots existed); valued at zero. */
  unpricedPoints: bigint;
  /** Paid memberships this partner sold in the period: their fees are the coalition's revenue, which it collected and owes (not part of net). */
  membershipFees: MembershipFees;
  /** net + the membership fees: everything the partner owes the coalition for the period (negative: the coalition owes it). */
  totalOwed: bigint;
}

/** Membership sales and their fees, in micros of the statement's currency (fees are whole minor units: exact = rounded). */
export interface MembershipFees {
  count: number;
  value: RoundedValue;
}

/**
 * The coalition as an issuer (its marketing budget) and as a payer of cashback, for the coalition statement.
 * Valued in the coalition's currency at the marketing price each lot was issued at; cashback at what the
 * coalition pays per point.
 */
export interface CoalitionPosition {
  currency: string | null;
  /** Everything the marketing budget issued in the period: granted + bonuses + earnAwards. */
  issued: PointsAndValue;
  granted: PointsAndValue;
  bonuses: PointsAndValue;
  /** Coalition-funded awards inside earns (a partner's earn rules the coalition pays for). */
  earnAwards: PointsAndValue;
  /** Its points honoured by partners (the partners are reimbursed as for any point), at the marketing price. */
  honoured: PointsAndValue;
  breakage: PointsAndValue;
  donated: PointsAndValue;
  /** Its points members cashed out, at the marketing price. */
  cashedOut: PointsAndValue;
}

/** Cashback paid in one currency: points cashed out (net of failed payouts) and the money they are worth. */
export interface CashoutTotal {
  currency: string;
  points: bigint;
  value: RoundedValue;
}

export interface CurrencyTotal {
  currency: string;
  issued: PointsAndValue;
  honoured: PointsAndValue;
  breakage: PointsAndValue;
  donated: PointsAndValue;
  net: bigint;
  roundingRemainder: bigint;
  membershipFees: MembershipFees;
  totalOwed: bigint;
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
    /** Statements, liability and ageing read here: the replica when DATABASE_REPLICA_URL is set. */
    private readonly reportSource: DataSource = dataSource,
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
  async coalition(
    viewer: Viewer,
    fromInput: string,
    toInput: string,
    requestId: string,
  ): Promise<{ period: Period; statements: Statement[]; totals: CurrencyTotal[]; coalition: CoalitionPosition; cashouts: CashoutTotal[]; membershipFeesCollected: (MembershipFees & { currency: string })[] }> {
    requireAdmin(viewer);
    const period = this.period(fromInput, toInput);
    const coalitionRows: CoalitionRowsSeen = { breakage: [], donated: [], cashedOut: [], honoured: [] };
    const statements = [
      ...(await this.statements(period, null, new Map(), (id) => this.directory.partner(viewer, id, requestId).then((p) => p?.currency ?? null), coalitionRows)).values(),
    ].sort((a, b) => (a.partnerId < b.partnerId ? -1 : 1));
    const { issued, cashouts } = await readCoalitionRows(this.reportSource.manager, period);
    const currency = issued.find((r) => r.currency)?.currency ?? coalitionRows.breakage.concat(coalitionRows.donated, coalitionRows.cashedOut).find((r) => r.currency)?.currency ?? null;
    const exponent = currency ? currencyExponent(currency) : 2;
    const sumRows = (rows: readonly PricedRow[]): PointsAndValue => {
      let points = 0n;
      let exact = 0n;
      for (const r of rows) {
        points += BigInt(r.points);
        exact += parseMicros(r.value);
      }
      return { points, value: rounded(exact, exponent) };
    };
    const granted = sumRows(issued.filter((r) => r.kind === 'GRANT'));
    const bonuses = sumRows(issued.filter((r) => r.kind === 'BONUS'));
    const earnAwards = sumRows(issued.filter((r) => r.kind !== 'GRANT' && r.kind !== 'BONUS'));
    const coalition: CoalitionPosition = {
      currency,
      issued: add(add(granted, bonuses), earnAwards),
      granted,
      bonuses,
      earnAwards,
      honoured: sumRows(coalitionRows.honoured),
      breakage: sumRows(coalitionRows.breakage),
      donated: sumRows(coalitionRows.donated),
      cashedOut: sumRows(coalitionRows.cashedOut),
    };
    const cashoutTotals = cashouts
      .filter((r) => r.currency)
      .map((r) => ({ currency: r.currency!, points: BigInt(r.points), value: rounded(parseMicros(r.value), currencyExponent(r.currency!)) }));
    const totals = new Map<string, CurrencyTotal>();
    for (const s of statements) {
      const t = totals.get(s.currency) ?? { currency: s.currency, issued: ZERO, honoured: ZERO, breakage: ZERO, donated: ZERO, net: 0n, roundingRemainder: 0n, membershipFees: NO_FEES, totalOwed: 0n };
      totals.set(s.currency, {
        currency: s.currency,
        issued: add(t.issued, s.issued),
        honoured: add(t.honoured, s.honoured),
        breakage: add(t.breakage, s.breakage),
        donated: add(t.donated, s.donated),
        net: t.net + s.net,
        roundingRemainder: t.roundingRemainder + s.roundingRemainder,
        membershipFees: addFees(t.membershipFees, s.membershipFees),
        totalOwed: t.totalOwed + s.totalOwed,
      });
    }
    // Sales the coalition recorded without a till: its own revenue, collected by no partner.
    const membershipFeesCollected = (await feesCollectedByCoalition(this.reportSource.manager, period)).map((f) => {
      const micros = f.minor * 10n ** BigInt(VALUE_SCALE - currencyExponent(f.currency));
      return { currency: f.currency, count: f.count, value: { exact: micros, rounded: micros } };
    });
    return { period, statements, totals: [...totals.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)), coalition, cashouts: cashoutTotals, membershipFeesCollected };
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
    coalitionRows?: CoalitionRowsSeen,
  ): Promise<Map<string, Statement>> {
    const { accounts, breakage, donated, cashedOut, flows } = await readStatementRows(this.reportSource.manager, period, partnerId);
    const fees = await feesBySeller(this.reportSource.manager, period, partnerId);

    const raw = new Map<string, { currency: string | null; lines: Map<string, { points: bigint; exact: bigint }>; unpriced: bigint; byIssuer: Map<string, { points: bigint; exact: bigint }>; byHonourer: Map<string, { points: bigint; exact: bigint }>; fees: { count: number; minor: bigint } }>();
    const entry = (id: string) => {
      let e = raw.get(id);
      if (!e) {
        e = { currency: currencies.get(id) ?? null, lines: new Map(), unpriced: 0n, byIssuer: new Map(), byHonourer: new Map(), fees: { count: 0, minor: 0n } };
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
    // A membership sale is in its plan's currency, which is the seller's (purchaseMembership refuses others).
    for (const f of fees) {
      setCurrency(f.partnerId, f.currency);
      const e = entry(f.partnerId);
      e.fees = { count: e.fees.count + f.count, minor: e.fees.minor + f.minor };
    }
    for (const r of accounts) {
      // Partner accounts always have their partner (the owner).
      const owner = r.partner_id!;
      setCurrency(owner, r.currency);
      const e = entry(owner);
      // Issued accounts are debited when points are issued: flip the sign so issuing counts positive.
      const sign = r.account === 'PARTNER_ISSUED' ? -1n : 1n;
      addTo(e.lines, `${r.account}:${r.kind}`, sign * BigInt(r.points), sign * parseMicros(r.value));
      e.unpriced += absolute(BigInt(r.unpriced));
    }
    // Rows of lots without a partner are the coalition's marketing budget's: they go to the coalition statement.
    for (const r of breakage) {
      if (r.partner_id === null) {
        coalitionRows?.breakage.push(r);
        continue;
      }
      setCurrency(r.partner_id, r.currency);
      const e = entry(r.partner_id);
      addTo(e.lines, 'BREAKAGE', BigInt(r.points), parseMicros(r.value));
      e.unpriced += absolute(BigInt(r.unpriced));
    }
    for (const r of donated) {
      if (r.partner_id === null) {
        coalitionRows?.donated.push(r);
        continue;
      }
      setCurrency(r.partner_id, r.currency);
      const e = entry(r.partner_id);
      addTo(e.lines, 'DONATED', BigInt(r.points), parseMicros(r.value));
      e.unpriced += absolute(BigInt(r.unpriced));
    }
    for (const r of cashedOut) {
      if (r.partner_id === null) {
        coalitionRows?.cashedOut.push(r);
        continue;
      }
      setCurrency(r.partner_id, r.currency);
      const e = entry(r.partner_id);
      addTo(e.lines, 'CASHED_OUT', BigInt(r.points), parseMicros(r.value));
      e.unpriced += absolute(BigInt(r.unpriced));
    }
    for (const r of flows) {
      if (r.issuer === null) {
        // The coalition's points honoured by a partner: the partner's line, and the coalition's (at its price).
        if (partnerId === null || r.honourer === partnerId) {
          setCurrency(r.honourer, r.honourer_currency);
          addTo(entry(r.honourer).lines, 'FROM_COALITION', BigInt(r.points), parseMicros(r.honourer_value));
        }
        coalitionRows?.honoured.push({ partner_id: '', currency: r.issuer_currency, points: r.points, value: r.issuer_value, unpriced: '0' });
        continue;
      }
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
      const issued = line('PARTNER_ISSUED:EARN', 'PARTNER_ISSUED:REVERSAL', 'PARTNER_ISSUED:CLAWBACK', 'PARTNER_ISSUED:GRANT', 'PARTNER_ISSUED:BONUS');
      const honoured = line('PARTNER_HONOURED:REDEEM', 'PARTNER_HONOURED:REVERSAL');
      const { net, remainder } = netPosition(issued.value, honoured.value);
      const feeMicros = e.fees.minor * 10n ** BigInt(VALUE_SCALE - exponent);
      const membershipFees: MembershipFees = { count: e.fees.count, value: { exact: feeMicros, rounded: feeMicros } };
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
        granted: line('PARTNER_ISSUED:GRANT'),
        bonuses: line('PARTNER_ISSUED:BONUS'),
        cashedOut: line('CASHED_OUT'),
        honouredFromCoalition: line('FROM_COALITION'),
        net,
        roundingRemainder: remainder,
        honouredByIssuer: flowList(e.byIssuer),
        issuedHonouredBy: flowList(e.byHonourer),
        unpricedPoints: e.unpriced,
        membershipFees,
        totalOwed: net + feeMicros,
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
    const rows = await readLiability(this.reportSource.manager, period, partnerId);
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
    const rows = await readProvenance(this.dataSource.manager, transactionIds.filter(validate.isUuid));
    return transactionIds.map((id) => rows.filter((r) => r.transactionId === id).map((r) => ({ partnerId: r.partnerId, points: r.points })));
  }

  /** Outstanding points by issuing partner and expiry month (UTC, "YYYY-MM"), soonest first. */
  async ageing(viewer: Viewer, partnerIdInput: string | null): Promise<AgeingBucket[]> {
    const partnerId = partnerIdInput == null ? (requireAdmin(viewer), null) : this.authorize(viewer, partnerIdInput);
    return readAgeing(this.reportSource.manager, partnerId);
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
    granted: ZERO,
    bonuses: ZERO,
    cashedOut: ZERO,
    honouredFromCoalition: ZERO,
    net: 0n,
    roundingRemainder: 0n,
    honouredByIssuer: [],
    issuedHonouredBy: [],
    unpricedPoints: 0n,
    membershipFees: NO_FEES,
    totalOwed: 0n,
  };
}

const NO_FEES: MembershipFees = { count: 0, value: { exact: 0n, rounded: 0n } };

function addFees(a: MembershipFees, b: MembershipFees): MembershipFees {
  return { count: a.count + b.count, value: { exact: a.value.exact + b.value.exact, rounded: a.value.rounded + b.value.rounded } };
}

/** Rows about the coalition's own lots met while building the partners' statements. */
interface CoalitionRowsSeen {
  breakage: PricedRow[];
  donated: PricedRow[];
  cashedOut: PricedRow[];
  honoured: PricedRow[];
}
