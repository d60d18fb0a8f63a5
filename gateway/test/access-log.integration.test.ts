import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHub, type TestHub } from '../../test/support/hub';

/** The gateway's access lines written to stdout while the test runs (other output passes through). */
const lines: Record<string, unknown>[] = [];
const write = process.stdout.write.bind(process.stdout);

async function accessLine(requestId: string): Promise<Record<string, unknown>> {
  for (let waited = 0; waited < 2_000; waited += 20) {
    const found = lines.find((line) => line.requestId === requestId);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no access line for ${requestId} in ${JSON.stringify(lines)}`);
}

describe('gateway access log', () => {
  let hub: TestHub;
  let url: string;
  let partnerToken: string;

  beforeAll(async () => {
    hub = await startHub({ subgraphs: ['members', 'partners'] });
    partnerToken = (await hub.seed.partner()).token;
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (const line of text.split('\n')) {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.service === 'gateway' && parsed.message === 'request') {
            lines.push(parsed);
            continue;
          }
        } catch {
          // not a log line
        }
      }
      return write(chunk, ...(rest as [BufferEncoding]));
    });
    // A gateway of its own logging at info, with a partner budget of two requests per minute.
    const gateway = await hub.startGateway({ LOG_LEVEL: 'info', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PARTNER: '2', RATE_LIMIT_ANONYMOUS: '1000' });
    url = gateway.url;
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await hub?.stop();
  });

  const post = (body: unknown, requestId: string, token?: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('logs the id the gateway gave a request that came without one, the same it answers in x-request-id', async () => {
    const ownBudget = (await hub.seed.partner()).token;
    for (const [body, token, status] of [
      [{ query: 'query NoId { viewerPartner { id } }' }, ownBudget, 200],
      [{ query: 'query NoIdAnonymous { viewerPartner { id } }' }, undefined, 401],
    ] as const) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(status);
      const given = response.headers.get('x-request-id');
      expect(given).toMatch(/^[0-9a-f-]{36}$/);
      expect(await accessLine(given!)).toMatchObject({ requestId: given, status });
    }
  });

  it('writes one JSON line per request: request id, operation, caller kind, status and duration', async () => {
    const response = await post({ query: 'query FindCard($card: String!) { memberByCard(cardNumber: $card) { id } }', variables: { card: '0000000000' } }, 'access-partner-1', partnerToken);
    expect(response.status).toBe(200);
    const line = await accessLine('access-partner-1');
    expect(line).toMatchObject({ level: 'info', service: 'gateway', message: 'request', requestId: 'access-partner-1', method: 'POST', path: '/graphql', operationName: 'FindCard', caller: 'partner', status: 200 });
    expect(typeof line.durationMs).toBe('number');
    expect(line.durationMs as number).toBeGreaterThan(0);
    expect(lines.filter((l) => l.requestId === 'access-partner-1')).toHaveLength(1);
  });

  it('logs a request refused for want of a token as anonymous, with its status and the operation it asked for', async () => {
    const response = await post({ query: 'query Sneak { me { id } }' }, 'access-anonymous-1');
    expect(response.status).toBe(401);
    expect(await accessLine('access-anonymous-1')).toMatchObject({ requestId: 'access-anonymous-1', operationName: 'Sneak', caller: 'anonymous', status: 401 });
    const forged = await post({ query: '{ me { id } }', operationName: null }, 'access-forged-1', `${partnerToken.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(await accessLine('access-forged-1')).toMatchObject({ operationName: null, caller: 'anonymous', status: 401 });
  });

  it('names the caller of a request refused before execution (rate limit) from its verified token', async () => {
    // The first test spent one of the two requests in the window.
    expect((await post({ query: '{ __typename }' }, 'access-partner-2', partnerToken)).status).toBe(200);
    const limited = await post({ query: 'query Again { __typename }' }, 'access-partner-3', partnerToken);
    expect(limited.status).toBe(429);
    expect(await accessLine('access-partner-3')).toMatchObject({ operationName: 'Again', caller: 'partner', status: 429 });
  });

  it('writes no line for health and readiness probes', async () => {
    const before = lines.length;
    expect((await fetch(new URL('/healthz', url), { headers: { 'x-request-id': 'access-probe-1' } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.slice(before).filter((l) => l.path === '/healthz')).toHaveLength(0);
  });
});
