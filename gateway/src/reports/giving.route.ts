import { type CsvReportRoute } from './csv';

/**
 * The giving report as CSV: GET /reports/giving.csv?from=…&to=…[&period=DAY|MONTH][&charityId=…][&partnerId=…]
 * with the caller's bearer token, served like every report download (see serve.ts): the
 * `givingReport` query runs through the gateway itself, so the same token, scopes and ownership rules apply.
 */
interface GivingRow {
  period: string;
  kind: string;
  charity: { id: string; name: string };
  partner: { id: string } | null;
  count: string;
  points: string;
  value: { amount: string; currency: string };
}

export const givingCsvRoute: CsvReportRoute = {
  path: '/reports/giving.csv',
  parameters: [
    { name: 'from', required: true },
    { name: 'to', required: true },
    { name: 'period', required: false },
    { name: 'charityId', required: false },
    { name: 'partnerId', required: false },
  ],
  document: `query GivingCsv($from: String!, $to: String!, $period: ReportPeriod, $charityId: ID, $partnerId: ID) {
    givingReport(from: $from, to: $to, period: $period, charityId: $charityId, partnerId: $partnerId) {
      rows { period kind charity { id name } partner { id } count points value { amount currency } }
    }
  }`,
  variables: (parameters) => ({ period: 'MONTH', ...parameters }),
  filename: () => 'giving',
  render(data) {
    const rows = (data as { givingReport: { rows: GivingRow[] } }).givingReport.rows;
    return {
      header: ['period', 'kind', 'charity_id', 'charity_name', 'partner_id', 'count', 'points', 'amount', 'currency'],
      rows: rows.map((r) => [r.period, r.kind, r.charity.id, r.charity.name, r.partner?.id ?? null, r.count, r.points, r.value.amount, r.value.currency]),
    };
  },
};
