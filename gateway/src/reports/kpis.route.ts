import { monthlyPeriod, type CsvReportRoute } from './csv';

interface Value {
  currency: string;
  amount: string;
}
interface Kpis {
  from: string;
  to: string;
  partner: { id: string } | null;
  activeMembers: number;
  newMembers: number;
  closedMembers: number;
  pointsEarned: string;
  pointsEarnedValue: Value[];
  pointsBurned: string;
  pointsBurnedValue: Value[];
  pointsExpired: string;
  redemptionRate: string;
  breakageRate: string;
  liabilityPoints: string;
  costPerPointIssued: Value[];
  donations: number | null;
  donatedPoints: string | null;
  pledged: Value[];
}

const FIELDS = `from to partner { id } activeMembers newMembers closedMembers pointsEarned pointsEarnedValue { currency amount }
  pointsBurned pointsBurnedValue { currency amount } pointsExpired redemptionRate breakageRate liabilityPoints
  costPerPointIssued { currency amount } donations donatedPoints pledged { currency amount }`;

/** Values in several currencies in one cell: `7.50 NOK; 3.00 SEK` (one currency for a partner). */
const values = (list: Value[]): string => list.map((v) => `${v.amount} ${v.currency}`).join('; ');

/**
 * Programme KPIs: one row for the whole period, then one per calendar month (UTC) in it. The admin any
 * partner or (partnerId omitted) the coalition; a partner with reports:read its own.
 */
export const kpisCsvRoute: CsvReportRoute = {
  path: '/reports/kpis.csv',
  parameters: [
    { name: 'partnerId', required: false },
    { name: 'from', required: false },
    { name: 'to', required: false },
    { name: 'month', required: false },
  ],
  // A month: `month=2026-11`; or any period (at most 400 days) with `from` and `to`.
  variables: monthlyPeriod,
  document: `query ProgrammeKpisCsv($from: String!, $to: String!, $partnerId: ID) {
    programmeKpis(from: $from, to: $to, partnerId: $partnerId) { ${FIELDS} byMonth { ${FIELDS} } }
  }`,
  filename: (p) => `kpis-${p.partnerId ?? 'coalition'}-${p.from.slice(0, 10)}-${p.to.slice(0, 10)}`,
  render(data) {
    const k = (data as { programmeKpis: Kpis & { byMonth: Kpis[] } }).programmeKpis;
    const row = (period: string, m: Kpis) => [
      m.partner?.id ?? 'coalition',
      period,
      m.from,
      m.to,
      String(m.activeMembers),
      String(m.newMembers),
      String(m.closedMembers),
      m.pointsEarned,
      values(m.pointsEarnedValue),
      m.pointsBurned,
      values(m.pointsBurnedValue),
      m.pointsExpired,
      m.redemptionRate,
      m.breakageRate,
      m.liabilityPoints,
      values(m.costPerPointIssued),
      m.donations === null ? null : String(m.donations),
      m.donatedPoints,
      values(m.pledged),
    ];
    return {
      header: [
        'scope',
        'period',
        'from',
        'to',
        'active_members',
        'new_members',
        'closed_members',
        'points_earned',
        'points_earned_value',
        'points_burned',
        'points_burned_value',
        'points_expired',
        'redemption_rate',
        'breakage_rate',
        'liability_points',
        'cost_per_point_issued',
        'donations',
        'donated_points',
        'pledged',
      ],
      rows: [row('total', k), ...k.byMonth.map((m) => row(m.from.slice(0, 7), m))],
    };
  },
};
