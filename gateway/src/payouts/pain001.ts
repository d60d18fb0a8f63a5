import { type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A payout batch's ISO 20022 credit-transfer file: `GET /payouts/{batchId}/pain.001.xml` on the gateway host
 * with the admin's bearer token. One GraphQL query through the gateway itself (payoutBatch.creditTransferXml),
 * so every rule of the API applies. Answers 200 `application/xml` as an attachment named after the message
 * id; 401 without a token; 403 for anyone but the admin; 404 for an unknown batch; 405 for anything but GET.
 */
export const PAIN001_PATH = /^\/payouts\/([^/]+)\/pain\.001\.xml$/;

export const PAIN001_DOCUMENT = 'query Pain001($id: String!) { payoutBatch(id: $id) { messageId creditTransferXml } }';

export type GatewayFetch = (request: Request, serverContext: { req: IncomingMessage; res: ServerResponse }) => Promise<Response> | Response;

const STATUS_BY_CODE: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400, RATE_LIMITED: 429 };

function refuse(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export async function servePain001(req: IncomingMessage, res: ServerResponse, execute: GatewayFetch): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://gateway.internal');
  const match = PAIN001_PATH.exec(url.pathname);
  if (!match) return false;
  req.resume();
  if (req.method !== 'GET') {
    refuse(res, 405, 'BAD_USER_INPUT', 'Use GET', { allow: 'GET' });
    return true;
  }
  const authorization = req.headers.authorization;
  if (!authorization || !/^Bearer\s+\S+$/i.test(authorization)) {
    refuse(res, 401, 'UNAUTHENTICATED', 'A Bearer token is required', { 'www-authenticate': 'Bearer' });
    return true;
  }
  let id: string;
  try {
    id = decodeURIComponent(match[1]);
  } catch {
    id = '';
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', authorization };
  const requestId = req.headers['x-request-id'];
  if (typeof requestId === 'string') headers['x-request-id'] = requestId;
  const response = await execute(new Request('http://gateway.internal/graphql', { method: 'POST', headers, body: JSON.stringify({ query: PAIN001_DOCUMENT, variables: { id } }) }), { req, res });
  const body = (await response.json().catch(() => null)) as { data?: { payoutBatch: { messageId: string; creditTransferXml: string } | null }; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  const first = body?.errors?.[0];
  if (!body || first || !body.data) {
    const code = first?.extensions?.code ?? 'INTERNAL';
    refuse(res, response.status === 401 ? 401 : (STATUS_BY_CODE[code] ?? 500), code, first?.message ?? 'Internal error');
    return true;
  }
  const batch = body.data.payoutBatch;
  if (!batch) {
    refuse(res, 404, 'NOT_FOUND', 'PayoutBatch not found');
    return true;
  }
  res.writeHead(200, {
    'content-type': 'application/xml; charset=utf-8',
    'content-disposition': `attachment; filename="${batch.messageId.replace(/[^A-Za-z0-9._-]/g, '_')}.pain.001.xml"`,
    'content-length': Buffer.byteLength(batch.creditTransferXml),
    'cache-control': 'no-store',
  });
  res.end(batch.creditTransferXml);
  return true;
}
