import { createHash } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { CsvError, parse } from 'csv-parse/sync';

/**
 * Bulk goodwill grants: `POST /imports/grants.csv` on the gateway host, the caller's bearer token (admin,
 * or a partner with points:grant), a `text/csv` body and an `Idempotency-Key` header; `?fundedByPartnerId=`
 * lets the admin bill a partner instead of the coalition's marketing budget.
 *
 * The file has a header row and the columns `memberId` or `cardNumber` (one per row), `points`, `reason`
 * and `reference`. Every row is checked before anything is written: the file's shape and each row's
 * fields here, card numbers through the gateway (`memberByCard`, so the caller needs members:lookup for
 * them), then the whole file by the points subgraph's `importGrants`, which checks every row again
 * (members exist, amounts) and grants all rows in one database transaction or none. Problems come back
 * all at once, by line (the header is line 1). The same key with the same file answers the import already
 * made (200, `replayed`); with another file, 409 IDEMPOTENCY_KEY_REUSED.
 *
 * Answers: 201 `{ grantImport }`; 200 `{ grantImport, replayed: true }`; 422 `{ errors: [{ line, field, code,
 * message }] }` (nothing written); 400 a bad header, key or parameter; 401; 403; 405; 411; 413; 415; 409.
 */
export const GRANTS_IMPORT_PATH = '/imports/grants.csv';

/** Runs a GraphQL request through the gateway (with the caller's socket, for rate limits). */
export type GatewayFetch = (request: Request, serverContext: { req: IncomingMessage; res: ServerResponse }) => Promise<Response> | Response;

const COLUMNS = ['memberId', 'cardNumber', 'points', 'reason', 'reference'] as const;
/** The gateway lets a document carry at most 15 aliases (lib/src/limits.ts GATEWAY_LIMITS). */
const CARDS_PER_QUERY = 15;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATUS_BY_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PARTNER_SUSPENDED: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  PREPAID_BLOCK_EXHAUSTED: 409,
  RATE_LIMITED: 429,
};

export const IMPORT_GRANTS_DOCUMENT = `mutation ImportGrants($input: ImportGrantsInput!) {
  importGrants(input: $input) {
    grantImport { id rows points fileSha256 fundedBy { id } createdAt }
    errors { line field code message }
    replayed
  }
}`;

export interface RowError {
  line: number;
  field: string;
  code: string;
  message: string;
}

interface GrantRow {
  line: number;
  memberId: string;
  points: number;
  reason: string;
  reference: string;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

const refuse = (res: ServerResponse, status: number, code: string, message: string, field?: string, headers: Record<string, string> = {}) =>
  send(res, status, { errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }] }, headers);

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A header the import cannot use (thrown from csv-parse's `columns` callback). */
class HeaderProblem extends Error {}

/** The file's records with their line numbers, or the first problem of its shape (header, columns, quoting). */
export function parseGrantsCsv(text: string): { rows: { line: number; values: Record<string, string> }[] } | { error: RowError } {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim());
        const unknown = names.find((n) => !(COLUMNS as readonly string[]).includes(n));
        if (unknown !== undefined) throw new HeaderProblem(`unknown column "${unknown}" (expected ${COLUMNS.join(', ')})`);
        if (new Set(names).size !== names.length) throw new HeaderProblem('a column appears twice');
        for (const needed of ['points', 'reason', 'reference']) {
          if (!names.includes(needed)) throw new HeaderProblem(`the column "${needed}" is missing`);
        }
        if (!names.includes('memberId') && !names.includes('cardNumber')) throw new HeaderProblem('a memberId or a cardNumber column is needed');
        return names;
      },
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
  } catch (error) {
    if (error instanceof HeaderProblem) return { error: { line: 1, field: 'csv', code: 'BAD_USER_INPUT', message: `header: ${error.message}` } };
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines ?? 1;
    return { error: { line, field: 'csv', code: 'BAD_USER_INPUT', message: error.message } };
  }
  return { rows: records.map((r) => ({ line: r.info.lines, values: r.record })) };
}

/** Each row's fields as this file gives them; card numbers still to be looked up. */
export function readGrantRows(rows: { line: number; values: Record<string, string> }[]): { rows: (Omit<GrantRow, 'memberId'> & { memberId?: string; cardNumber?: string })[]; errors: RowError[] } {
  const out: (Omit<GrantRow, 'memberId'> & { memberId?: string; cardNumber?: string })[] = [];
  const errors: RowError[] = [];
  for (const { line, values } of rows) {
    const memberId = values.memberId ?? '';
    const cardNumber = (values.cardNumber ?? '').replace(/[\s-]/g, '');
    const problem = (field: string, message: string) => errors.push({ line, field, code: 'BAD_USER_INPUT', message: `${field}: ${message}` });
    if ((memberId === '') === (cardNumber === '')) {
      problem(memberId === '' ? 'memberId' : 'cardNumber', 'give either a memberId or a cardNumber');
      continue;
    }
    if (memberId !== '' && !UUID.test(memberId)) {
      problem('memberId', 'must be a valid id');
      continue;
    }
    if (cardNumber !== '' && !/^\d{16}$/.test(cardNumber)) {
      problem('cardNumber', 'must be 16 digits');
      continue;
    }
    if (!/^\d{1,9}$/.test(values.points ?? '')) {
      problem('points', 'must be a whole number from 1 to 1000000');
      continue;
    }
    out.push({
      line,
      ...(memberId !== '' ? { memberId: memberId.toLowerCase() } : { cardNumber }),
      points: Number(values.points),
      reason: values.reason ?? '',
      reference: values.reference ?? '',
    });
  }
  return { rows: out, errors };
}

type GraphQLBody = { data?: Record<string, unknown> | null; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[] };

/**
 * Serves `req` if it is the grants import; returns false otherwise (the caller goes on).
 */
export async function serveGrantsImport(req: IncomingMessage, res: ServerResponse, execute: GatewayFetch, maxBytes: number): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://gateway.internal');
  if (url.pathname !== GRANTS_IMPORT_PATH) return false;
  if (req.method !== 'POST') {
    req.resume();
    refuse(res, 405, 'BAD_USER_INPUT', 'Use POST', 'method', { allow: 'POST' });
    return true;
  }
  const authorization = req.headers.authorization;
  if (!authorization || !/^Bearer\s+\S+$/i.test(authorization)) {
    req.resume();
    refuse(res, 401, 'UNAUTHENTICATED', 'A Bearer token is required', undefined, { 'www-authenticate': 'Bearer' });
    return true;
  }
  // text/csv is not a type a page on another site can send without a preflight (CSRF).
  if (!/^text\/csv\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    req.resume();
    refuse(res, 415, 'BAD_USER_INPUT', 'The body must be a CSV file (Content-Type: text/csv)', 'body');
    return true;
  }
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    req.resume();
    refuse(res, 400, 'BAD_USER_INPUT', 'Idempotency-Key: a header of 1 to 255 printable ASCII characters is required', 'Idempotency-Key');
    return true;
  }
  const fundedByPartnerId = url.searchParams.get('fundedByPartnerId') || null;
  if (req.headers['content-length'] === undefined) {
    req.resume();
    refuse(res, 411, 'BAD_USER_INPUT', 'A Content-Length header is required', 'body');
    return true;
  }
  if (Number(req.headers['content-length']) > maxBytes) {
    req.resume();
    refuse(res, 413, 'BAD_USER_INPUT', `The file is larger than ${maxBytes} bytes`, 'body');
    return true;
  }
  const body = await readBody(req, maxBytes);
  if (!body) {
    refuse(res, 413, 'BAD_USER_INPUT', `The file is larger than ${maxBytes} bytes`, 'body');
    return true;
  }
  const fileSha256 = createHash('sha256').update(body).digest('hex');

  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', authorization };
  const requestId = req.headers['x-request-id'];
  if (typeof requestId === 'string') headers['x-request-id'] = requestId;
  const graphql = async (query: string, variables: Record<string, unknown>): Promise<{ body: GraphQLBody | null; response: Response }> => {
    const response = await execute(new Request('http://gateway.internal/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) }), { req, res });
    return { body: (await response.json().catch(() => null)) as GraphQLBody | null, response };
  };
  const fail = (response: Response, body: GraphQLBody | null) => {
    const first = body?.errors?.[0];
    const code = first?.extensions?.code ?? 'INTERNAL';
    const status = response.status === 401 ? 401 : (STATUS_BY_CODE[code] ?? 500);
    const retryAfter = response.headers.get('retry-after');
    refuse(res, status, code, first?.message ?? 'Internal error', first?.extensions?.field, retryAfter ? { 'retry-after': retryAfter } : {});
  };

  const parsed = parseGrantsCsv(body.toString('utf8'));
  if ('error' in parsed) {
    send(res, 422, { errors: [parsed.error] });
    return true;
  }
  if (parsed.rows.length === 0) {
    send(res, 422, { errors: [{ line: 1, field: 'csv', code: 'BAD_USER_INPUT', message: 'the file has no rows' }] });
    return true;
  }
  const read = readGrantRows(parsed.rows);
  const errors = [...read.errors];

  // Card numbers become member ids through the gateway (memberByCard: members:lookup or admin), 15 a query.
  const byCard = read.rows.filter((r) => r.cardNumber !== undefined);
  for (let start = 0; start < byCard.length; start += CARDS_PER_QUERY) {
    const chunk = byCard.slice(start, start + CARDS_PER_QUERY);
    const query = `query Cards(${chunk.map((_, i) => `$c${i}: String!`).join(', ')}) { ${chunk.map((_, i) => `c${i}: memberByCard(cardNumber: $c${i}) { id }`).join(' ')} }`;
    const { body: answer, response } = await graphql(query, Object.fromEntries(chunk.map((r, i) => [`c${i}`, r.cardNumber])));
    if (!answer || (!answer.data && answer.errors?.length)) {
      const code = answer?.errors?.[0]?.extensions?.code;
      if (code === 'FORBIDDEN') {
        for (const r of byCard) errors.push({ line: r.line, field: 'cardNumber', code: 'FORBIDDEN', message: 'cardNumber: looking up card numbers needs members:lookup; give memberId instead' });
        break;
      }
      fail(response, answer);
      return true;
    }
    chunk.forEach((r, i) => {
      const refusal = answer.errors?.find((e) => e.path?.[0] === `c${i}`);
      const found = (answer.data?.[`c${i}`] as { id: string } | null | undefined)?.id;
      if (refusal) errors.push({ line: r.line, field: 'cardNumber', code: refusal.extensions?.code ?? 'INTERNAL', message: `cardNumber: ${refusal.message}` });
      else if (!found) errors.push({ line: r.line, field: 'cardNumber', code: 'NOT_FOUND', message: 'cardNumber: no member has this card' });
      else r.memberId = found;
    });
  }
  if (errors.length > 0) {
    send(res, 422, { errors: errors.sort((a, b) => a.line - b.line) });
    return true;
  }

  const rows: GrantRow[] = read.rows.map((r) => ({ line: r.line, memberId: r.memberId!, points: r.points, reason: r.reason, reference: r.reference }));
  const { body: answer, response } = await graphql(IMPORT_GRANTS_DOCUMENT, { input: { rows, fundedByPartnerId, fileSha256, idempotencyKey: key } });
  const payload = answer?.data?.importGrants as { grantImport: unknown; errors: RowError[]; replayed: boolean } | undefined;
  if (!payload || answer?.errors?.length) {
    fail(response, answer);
    return true;
  }
  if (payload.errors.length > 0) {
    send(res, 422, { errors: payload.errors });
    return true;
  }
  send(res, payload.replayed ? 200 : 201, { grantImport: payload.grantImport, replayed: payload.replayed });
  return true;
}
