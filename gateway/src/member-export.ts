import { type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A member's data export (GDPR art. 15 and 20): `GET /members/{memberId}/export.json` on the gateway host,
 * with the caller's bearer token. It runs one GraphQL query through the gateway itself, as the report
 * downloads do, so every rule of the API applies unchanged (token, rate limits, each subgraph's own check).
 * Each subgraph answers for its own tables (`<subgraph>MemberExport`); none reads another's. The member
 * themself or the admin; anyone else, and a missing member, answers 404 with the same body.
 */
export const MEMBER_EXPORT_PATH = /^\/members\/([^/]+)\/export\.json$/;

export const MEMBER_EXPORT_DOCUMENT = `query MemberExport($memberId: ID!) {
  members: membersMemberExport(memberId: $memberId)
  points: pointsMemberExport(memberId: $memberId)
  partners: partnersMemberExport(memberId: $memberId)
  donations: donationsMemberExport(memberId: $memberId)
}`;

/** Runs a GraphQL request through the gateway (with the caller's socket, for rate limits). */
export type GatewayFetch = (request: Request, serverContext: { req: IncomingMessage; res: ServerResponse }) => Promise<Response> | Response;

const STATUS_BY_CODE: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400, RATE_LIMITED: 429 };

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, head = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...headers,
  });
  res.end(head ? undefined : text);
}

const error = (code: string, message: string) => ({ errors: [{ message, extensions: { code } }] });

/**
 * Serves `req` if its path is a member export; returns false otherwise. Answers: 200 with the JSON
 * document as an attachment, never cached; 401 without a valid token; 404 for a member the caller may not
 * export or that does not exist (the same body); 405 for anything but GET/HEAD.
 */
export async function serveMemberExport(req: IncomingMessage, res: ServerResponse, execute: GatewayFetch): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://gateway.internal');
  const match = MEMBER_EXPORT_PATH.exec(url.pathname);
  if (!match) return false;
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { errors: [{ message: 'Use GET', extensions: { code: 'BAD_USER_INPUT', field: 'method' } }] }, { allow: 'GET, HEAD' });
    return true;
  }
  const head = req.method === 'HEAD';
  const authorization = req.headers.authorization;
  if (!authorization || !/^Bearer\s+\S+$/i.test(authorization)) {
    send(res, 401, error('UNAUTHENTICATED', 'A Bearer token is required'), { 'www-authenticate': 'Bearer' }, head);
    return true;
  }
  let memberId: string;
  try {
    memberId = decodeURIComponent(match[1]);
  } catch {
    memberId = '';
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', authorization };
  const requestId = req.headers['x-request-id'];
  if (typeof requestId === 'string') headers['x-request-id'] = requestId;
  const response = await execute(
    new Request('http://gateway.internal/graphql', { method: 'POST', headers, body: JSON.stringify({ query: MEMBER_EXPORT_DOCUMENT, variables: { memberId } }) }),
    { req, res },
  );
  const body = (await response.json().catch(() => null)) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  // An export is whole or nothing: any subgraph's error (or one being down) fails the download.
  const first = body?.errors?.[0];
  if (!body || first || !body.data) {
    const code = first?.extensions?.code ?? 'INTERNAL';
    const status = response.status === 401 ? 401 : (STATUS_BY_CODE[code] ?? 500);
    const retryAfter = response.headers.get('retry-after');
    send(res, status, error(code, first?.message ?? 'Internal error'), retryAfter ? { 'retry-after': retryAfter } : {}, head);
    return true;
  }
  const document = { memberId: memberId.toLowerCase(), exportedAt: new Date().toISOString(), ...body.data };
  send(res, 200, document, { 'content-disposition': `attachment; filename="member-${memberId.toLowerCase().replace(/[^a-z0-9-]/g, '_')}-export.json"` }, head);
  return true;
}
