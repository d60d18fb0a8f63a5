import { type IncomingMessage, type ServerResponse } from 'node:http';

/** The CSV export of the giving report; one GET, the same token and rules as the GraphQL query. */
export const DONATIONS_CSV_PATH = '/reports/giving.csv';

const QUERY = `query GivingCsv($from: String!, $to: String!, $period: ReportPeriod, $charityId: ID, $partnerId: ID) {
  givingReport(from: $from, to: $to, period: $period, charityId: $charityId, partnerId: $partnerId) {
    rows { period kind charity { id name } partner { id } count points value { amount currency } }
  }
}`;

interface Row {
  period: string;
  kind: string;
  charity: { id: string; name: string };
  partner: { id: string } | null;
  count: string;
  points: string;
  value: { amount: string; currency: string };
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: readonly Row[]): string {
  const header = ['period', 'kind', 'charity_id', 'charity_name', 'partner_id', 'count', 'points', 'amount', 'currency'];
  const lines = rows.map((r) =>
    [r.period, r.kind, r.charity.id, r.charity.name, r.partner?.id ?? '', r.count, r.points, r.value.amount, r.value.currency].map(csvField).join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

/**
 * GET /reports/giving.csv?from=…&to=…[&period=DAY|MONTH][&charityId=…][&partnerId=…] with the caller's
 * bearer token. It runs the `givingReport` query through the gateway itself (`execute`), so the token
 * check, scopes, rate limits and each subgraph's own access rules apply exactly as to the GraphQL call;
 * errors come back as the GraphQL JSON with the same status.
 */
export async function serveDonationsCsv(req: IncomingMessage, res: ServerResponse, execute: (request: Request) => Promise<Response>): Promise<void> {
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET' }).end();
    return;
  }
  const params = new URL(req.url ?? '/', 'http://gateway').searchParams;
  const variables = {
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    period: params.get('period') ?? 'MONTH',
    charityId: params.get('charityId'),
    partnerId: params.get('partnerId'),
  };
  const body = JSON.stringify({ query: QUERY, variables });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  for (const name of ['authorization', 'x-request-id', 'x-forwarded-for']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const response = await execute(new Request('http://gateway/graphql', { method: 'POST', headers, body }));
  const result = (await response.json()) as { data?: { givingReport: { rows: Row[] } } | null; errors?: unknown[] };
  if (result.errors?.length || !result.data) {
    const text = JSON.stringify({ errors: result.errors });
    res.writeHead(response.status === 200 ? 400 : response.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const csv = toCsv(result.data.givingReport.rows);
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': 'attachment; filename="giving.csv"',
    'content-length': Buffer.byteLength(csv),
  });
  res.end(csv);
}
