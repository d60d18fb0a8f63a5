import { type DataSource } from 'typeorm';
import { currencyExponent, notFound, type Viewer } from '../../../../lib/src';
import { kpiMonths, kpiScope, monthKey, ratio, type KpiScope } from '../../../../lib/src/kpis';
import { formatMicros, parseMicros, roundHalfEven, VALUE_SCALE } from '../domain/settlement.rules';
import { type DirectoryClient } from '../clients/directory.client';
import { readActivity, readExpired, readLiabilityAt, type ActivityRow } from '../persistence/kpis.repository';

/** A value in one currency: rounded to its minor unit (half to even) and exact (6 decimals). */
export interface CurrencyValue {
  currency: string;
  amount: string;
  exact: string;
}

/** The ledger's KPIs for one scope (a period and a partner or the coalition). */
export interface LedgerKpis {
  scope: KpiScope;
  activeMembers: number;
  pointsEarned: bigint;
  pointsBurned: bigint;
  pointsExpired: bigint;
  earnedValue: CurrencyValue[];
  burnedValue: CurrencyValue[];
  /** Issue value per priced point earned, per currency (6 decimals). */
  costPerPointIssued: CurrencyValue[];
  redemptionRate: string;
  breakageRate: string;
  liabilityPoints: bigint;
}

/**
 * Programme KPIs from the ledger (points' share of the federated ProgrammeKpis): members active in the
 * period, points earned, burned and expired with their value, the rates derived from them, and the
 * points outstanding at the period's end, for the whole period and each calendar month (UTC) in it.
 * Access: the admin any partner or the coalition; a partner with reports:read its own (another
 * partner's answers NOT_FOUND exactly as a missing partner does).
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND.
 */
export class KpisService {
  constructor(
    private readonly reportSource: DataSource,
    private readonly directory: DirectoryClient,
  ) {}

  /** The scope the caller may read, or the error it gets. */
  async scope(viewer: Viewer, from: string, to: string, partnerIdInput: string | null, requestId: string): Promise<KpiScope> {
    const scope = kpiScope(viewer, from, to, partnerIdInput);
    // The admin naming a partner: a partner that does not exist answers as another tenant's does.
    if (scope.partnerId && !(await this.directory.partner(viewer, scope.partnerId, requestId))) throw notFound('Partner');
    return scope;
  }

  /** The period's KPIs and each month's, read in one snapshot. */
  async read(scope: KpiScope): Promise<{ total: LedgerKpis; months: LedgerKpis[] }> {
    // A report: on the replica when there is one (REPEATABLE READ runs there too, read-only).
    return this.reportSource.transaction('REPEATABLE READ', async (manager) => {
      const activity = await readActivity(manager, scope);
      const expired = await readExpired(manager, scope);
      const months = kpiMonths(scope);
      const liabilities = new Map<string, bigint>();
      for (const month of months) liabilities.set(month.to.toISOString(), await readLiabilityAt(manager, month.to, scope.partnerId));
      const build = (s: KpiScope, month: string | null): LedgerKpis => {
        // Sums are additive: a month's are its rows', the period's every row's; per currency likewise.
        const rows = activity.sums.filter((r) => month === null || r.month === month);
        const total = (pick: (r: ActivityRow) => string, of = rows) => of.reduce((n, r) => n + BigInt(pick(r)), 0n);
        const earned = total((r) => r.earned);
        const burned = total((r) => r.burned);
        const currencies = [...new Set(rows.map((r) => r.currency).filter((c): c is string => c !== null))].sort();
        const byCurrency = currencies.map((currency) => {
          const of = rows.filter((r) => r.currency === currency);
          return {
            currency,
            earned: total((r) => r.earned, of),
            burned: total((r) => r.burned, of),
            earnedPriced: total((r) => r.earned_priced, of),
            earnedValue: of.reduce((n, r) => n + parseMicros(r.earned_value), 0n),
            burnedValue: of.reduce((n, r) => n + parseMicros(r.burned_value), 0n),
          };
        });
        const expiredPoints = BigInt(expired.find((r) => r.month === month)?.points ?? '0');
        return {
          scope: s,
          activeMembers: Number(activity.active.find((r) => r.month === month)?.members ?? 0),
          pointsEarned: earned,
          pointsBurned: burned,
          pointsExpired: expiredPoints,
          // A currency appears where points moved in it.
          earnedValue: byCurrency.filter((c) => c.earned !== 0n).map((c) => value(c.currency, c.earnedValue)),
          burnedValue: byCurrency.filter((c) => c.burned !== 0n).map((c) => value(c.currency, c.burnedValue)),
          costPerPointIssued: byCurrency.filter((c) => c.earnedPriced > 0n).map((c) => value(c.currency, perPoint(c.earnedValue, c.earnedPriced))),
          redemptionRate: ratio(burned, earned),
          breakageRate: ratio(expiredPoints, earned),
          liabilityPoints: liabilities.get(s.to.toISOString()) ?? 0n,
        };
      };
      return { total: build(scope, null), months: months.map((m) => build(m, monthKey(m.from))) };
    });
  }
}

function value(currency: string, micros: bigint): CurrencyValue {
  const exponent = currencyExponent(currency);
  return { currency, amount: formatMicros(roundHalfEven(micros, exponent), exponent), exact: formatMicros(micros, VALUE_SCALE) };
}

/** Issue value (micros) per priced point earned, in micros (half up on the last place). */
function perPoint(micros: bigint, points: bigint): bigint {
  return (2n * micros + points) / (2n * points);
}
