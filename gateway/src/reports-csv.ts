import { type IncomingMessage, type ServerResponse } from 'node:http';
import { givingCsvRoute } from './donations-csv';

/**
 * CSV downloads of reports, served on the gateway host (`GET /reports/<name>.csv?…`) with the same
 * Bearer token as GraphQL. Each download runs its GraphQL query through the gateway itself, so every
 * rule of the API applies unchanged: token verification, rate limits, scopes, and the subgraph's own
 * ownership checks (another tenant's report answers 404 exactly as a missing one does).
 *
 * A route is a query, how to build its variables from the URL, and how to turn its data into rows; add
 * one to REPORT_ROUTES to publish another report.
 */
export interface CsvReportRoute {
  /** URL path, for example `/reports/settlement.csv`. */
  path: string;
  /** Query parameters, in order; a missing required one answers 400 naming it. */
  parameters: { name: string; required: boolean }[];
  /** The GraphQL document run through the gateway. Its variables are named after the parameters. */
  document: string;
  /**
   * The GraphQL variables from the parameters given; throws a `ParameterError` naming a missing or bad
   * one. Default: the parameters as they are.
   */
  variables?(parameters: Record<string, string>): Record<string, string>;
  /** GraphQL argument (error `field`) to URL parameter, where the names differ. */
  fieldToParameter?: Record<string, string>;
  /** Download file name (without the extension). */
  filename(parameters: Record<string, string>): string;
  /** Header row and data rows. */
  render(data: unknown): { header: string[]; rows: (string | null)[][] };
}

/** What a spreadsheet may take for the start of a formula, ASCII and full-width (U+FF1D, U+FF0B, U+FF0D, U+FF20). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, quotes doubled. Text starting with
 * =, +, -, @, tab or CR, or the full-width ＝ ＋ － ＠ (spreadsheets read those as formulas too; say in a
 * charity's name) gets a leading apostrophe; a number, negative amounts included, stays as it is.
 */
export function csvField(value: string | null): string {
  const text = value ?? '';
  const safe = FORMULA_START.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 records, each line ending with CRLF. */
export function toCsv(header: string[], rows: (string | null)[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A URL parameter the route cannot use: answered 400 with `extensions.field` naming it. */
export class ParameterError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** `month=YYYY-MM` as the period [first of the month, first of the next), UTC; else `from` and `to` as given. */
export function monthlyPeriod(parameters: Record<string, string>): Record<string, string> {
  const { month, ...rest } = parameters;
  if (month === undefined) {
    for (const name of ['from', 'to']) if (!rest[name]) throw new ParameterError(name, 'is required (or give month=YYYY-MM)');
    return rest;
  }
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new ParameterError('month', 'must be YYYY-MM, for example 2026-11');
  if (rest.from || rest.to) throw new ParameterError('month', 'give either month or from and to, not both');
  const from = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  const to = new Date(Date.UTC(Number(match[1]), Number(match[2]), 1));
  return { ...rest, from: from.toISOString(), to: to.toISOString() };
}

interface Money {
  amount: string;
  currency: string;
}
interface Line {
  points: string;
  value: Money;
  exactValue: string;
}
interface Flow extends Line {
  partner: { id: string };
}

const LINE = 'points value { amount currency } exactValue';
const FLOW = `partner { id } ${LINE}`;

/** One partner's settlement statement: one row per statement line and per cross-partner flow. */
export const settlementCsvRoute: CsvReportRoute = {
  path: '/reports/settlement.csv',
  parameters: [
    { name: 'partnerId', required: true },
    { name: 'from', required: false },
    { name: 'to', required: false },
    { name: 'month', required: false },
  ],
  // A month by default: `month=2026-11`; or any period with `from` and `to`.
  variables: monthlyPeriod,
  document: `query SettlementStatementCsv($partnerId: ID!, $from: String!, $to: String!) {
    settlementStatement(partnerId: $partnerId, from: $from, to: $to) {
      partner { id } currency from to pointsIssued issuedValue { amount currency } issuedValueExact
      pointsHonoured reimbursementValue { amount currency } reimbursementValueExact net { amount currency } roundingRemainder
      earned { ${LINE} } refunded { ${LINE} } clawedBack { ${LINE} } redeemed { ${LINE} } returned { ${LINE} } breakage { ${LINE} } donated { ${LINE} }
      honouredByIssuer { ${FLOW} } issuedHonouredBy { ${FLOW} } unpricedPoints
    }
  }`,
  filename: (p) => `settlement-${p.partnerId}-${p.from.slice(0, 10)}-${p.to.slice(0, 10)}`,
  render(data) {
    const s = (data as {
      settlementStatement: {
        partner: { id: string };
        currency: string;
        from: string;
        to: string;
        pointsIssued: string;
        issuedValue: Money;
        issuedValueExact: string;
        pointsHonoured: string;
        reimbursementValue: Money;
        reimbursementValueExact: string;
        net: Money;
        roundingRemainder: string;
        earned: Line;
        refunded: Line;
        clawedBack: Line;
        redeemed: Line;
        returned: Line;
        breakage: Line;
        donated: Line;
        honouredByIssuer: Flow[];
        issuedHonouredBy: Flow[];
        unpricedPoints: string;
      };
    }).settlementStatement;
    const row = (line: string, counterparty: string | null, points: string | null, amount: string | null, exact: string | null) => [
      s.partner.id,
      s.currency,
      s.from,
      s.to,
      line,
      counterparty,
      points,
      amount,
      exact,
    ];
    const of = (name: string, l: Line) => row(name, null, l.points, l.value.amount, l.exactValue);
    return {
      header: ['partner_id', 'currency', 'from', 'to', 'line', 'counterparty_partner_id', 'points', 'amount', 'exact_amount'],
      rows: [
        row('issued', null, s.pointsIssued, s.issuedValue.amount, s.issuedValueExact),
        of('earned', s.earned),
        of('refunded', s.refunded),
        of('clawed_back', s.clawedBack),
        row('honoured', null, s.pointsHonoured, s.reimbursementValue.amount, s.reimbursementValueExact),
        of('redeemed', s.redeemed),
        of('returned', s.returned),
        of('breakage', s.breakage),
        of('donated', s.donated),
        row('net', null, null, s.net.amount, null),
        row('rounding_remainder', null, null, null, s.roundingRemainder),
        row('unpriced', null, s.unpricedPoints, null, null),
        ...s.honouredByIssuer.map((f) => row('honoured_from_issuer', f.partner.id, f.points, f.value.amount, f.exactValue)),
        ...s.issuedHonouredBy.map((f) => row('issued_honoured_by', f.partner.id, f.points, f.value.amount, f.exactValue)),
      ],
    };
  },
};

export const REPORT_ROUTES: readonly CsvReportRoute[] = [settlementCsvRoute, givingCsvRoute];

/** Runs a GraphQL request through the gateway (with the caller's socket, for rate limits). */
export type GatewayFetch = (request: Request, serverContext: { req: IncomingMessage; res: ServerResponse }) => Promise<Response> | Response;

const STATUS_BY_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  RATE_LIMITED: 429,
};

function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Serves `req` if its path is a report route; returns false otherwise (the caller goes on). Answers:
 * 200 text/csv; 400 naming a missing or invalid parameter; 401 without a valid token; 403 without the
 * scope; 404 for another tenant's or a missing object; 405 for anything but GET/HEAD.
 */
export async function serveReport(req: IncomingMessage, res: ServerResponse, execute: GatewayFetch, routes: readonly CsvReportRoute[] = REPORT_ROUTES): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://gateway.internal');
  const route = routes.find((r) => r.path === url.pathname);
  if (!route) return false;
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, 'BAD_USER_INPUT', 'Use GET', { field: 'method' }, { allow: 'GET, HEAD' });
    return true;
  }
  const authorization = req.headers.authorization;
  if (!authorization || !/^Bearer\s+\S+$/i.test(authorization)) {
    sendError(res, 401, 'UNAUTHENTICATED', 'A Bearer token is required', {}, { 'www-authenticate': 'Bearer' });
    return true;
  }
  const parameters: Record<string, string> = {};
  for (const p of route.parameters) {
    const value = url.searchParams.get(p.name);
    if (value === null || value === '') {
      if (p.required) {
        sendError(res, 400, 'BAD_USER_INPUT', `${p.name}: is required`, { field: p.name });
        return true;
      }
      continue;
    }
    parameters[p.name] = value;
  }
  let variables: Record<string, string>;
  try {
    variables = route.variables ? route.variables(parameters) : parameters;
  } catch (error) {
    if (!(error instanceof ParameterError)) throw error;
    sendError(res, 400, 'BAD_USER_INPUT', error.message, { field: error.field });
    return true;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', authorization };
  const requestId = req.headers['x-request-id'];
  if (typeof requestId === 'string') headers['x-request-id'] = requestId;
  const response = await execute(
    new Request('http://gateway.internal/graphql', { method: 'POST', headers, body: JSON.stringify({ query: route.document, variables }) }),
    { req, res },
  );
  const body = (await response.json().catch(() => null)) as { data?: unknown; errors?: { message: string; extensions?: { code?: string; field?: string } }[] } | null;
  const error = body?.errors?.[0];
  if (!body || error || !body.data) {
    const code = error?.extensions?.code ?? 'INTERNAL';
    const status = response.status === 401 ? 401 : (STATUS_BY_CODE[code] ?? 500);
    const field = error?.extensions?.field;
    const parameter = field ? (route.fieldToParameter?.[field] ?? field) : undefined;
    const retryAfter = response.headers.get('retry-after');
    sendError(res, status, code, error?.message ?? 'Internal error', parameter ? { field: parameter } : {}, retryAfter ? { 'retry-after': retryAfter } : {});
    return true;
  }
  const { header, rows } = route.render(body.data);
  const csv = toCsv(header, rows);
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8; header=present',
    'content-disposition': `attachment; filename="${route.filename(variables).replace(/[^A-Za-z0-9._-]/g, '_')}.csv"`,
    'content-length': Buffer.byteLength(csv),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : csv);
  return true;
}
