import { type IncomingMessage, type ServerResponse } from 'node:http';
import { ParameterError, toCsv, type CsvReportRoute } from './csv';
import { givingCsvRoute } from './giving.route';
import { kpisCsvRoute } from './kpis.route';
import { settlementCsvRoute } from './settlement.route';

/**
 * CSV downloads of reports, served on the gateway host (`GET /reports/<name>.csv?…`) with the same
 * Bearer token as GraphQL. Each download runs its GraphQL query through the gateway itself, so every
 * rule of the API applies unchanged: token verification, rate limits, scopes, and the subgraph's own
 * ownership checks (another tenant's report answers 404 exactly as a missing one does).
 *
 * A route is a query, how to build its variables from the URL, and how to turn its data into rows; add
 * one to REPORT_ROUTES to publish another report.
 */
export const REPORT_ROUTES: readonly CsvReportRoute[] = [settlementCsvRoute, givingCsvRoute, kpisCsvRoute];

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
