import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type SubgraphKey, type TestHub } from '../support/hub';

// The GraphQL-over-HTTP spec's own audit suite (graphql-http), against the gateway and each subgraph
// directly, with a valid token on every request: every MUST and every SHOULD passes. The audits' queries
// ask `{ __typename }` and introspection-free fields only, so any authenticated caller may run them.
let hub: TestHub;
let token: string;
beforeAll(async () => {
  hub = await startHub();
  token = await hub.admin();
});
afterAll(async () => hub?.stop());

/** The audits' own fetch, with the bearer token added to whatever headers each audit sends. */
function withToken(bearer: () => string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${bearer()}`);
    return fetch(input, { ...init, headers });
  };
}

async function audit(url: string): Promise<AuditResult[]> {
  const audits = serverAudits({ url, fetchFn: withToken(() => token) });
  const results: AuditResult[] = [];
  for (const one of audits) results.push(await one.fn());
  return results;
}

/** Every failed MUST or SHOULD, with the audit's reason, so a failure says which rule and why. */
function failures(results: AuditResult[]): string[] {
  return results
    .filter((r) => r.status !== 'ok' && (r.name.startsWith('MUST') || r.name.startsWith('SHOULD')))
    .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
}

describe('GraphQL over HTTP (graphql-http server audit, with a token)', () => {
  it('the gateway passes every MUST and SHOULD', async () => {
    const results = await audit(hub.gatewayUrl);
    expect(results.filter((r) => r.name.startsWith('MUST')).length).toBeGreaterThan(10);
    expect(failures(results)).toEqual([]);
  });

  for (const key of ['members', 'points', 'partners', 'donations'] as SubgraphKey[]) {
    it(`the ${key} subgraph, called directly, passes every MUST and SHOULD`, async () => {
      expect(failures(await audit(hub.urls[key]))).toEqual([]);
    });
  }
});

describe('the statuses the spec asks for, with the hub\'s error shaping kept', () => {
  const post = (url: string, body: unknown, accept?: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(accept ? { accept } : {}) },
      body: JSON.stringify(body),
    });

  it('answers a document that does not parse, validate or coerce with 400 under application/graphql-response+json, 200 under application/json', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['{ me { ', {}, 'query'],
      ['{ me { nickname } }', {}, 'query'],
      ['query($id: ID!) { member(id: $id) { id } }', {}, 'id'],
    ];
    for (const target of [hub.gatewayUrl, hub.urls.members]) {
      for (const [query, variables, field] of cases) {
        for (const [accept, status] of [['application/graphql-response+json', 400], ['application/json', 200]] as const) {
          const response = await post(target, { query, variables }, accept);
          expect(response.status, `${target} ${query} ${accept}`).toBe(status);
          expect(response.headers.get('content-type')).toMatch(new RegExp(`^${accept.replace('+', '\\+')}`));
          const body = (await response.json()) as { data?: unknown; errors: { extensions: unknown }[] };
          expect(body.data).toBeUndefined();
          expect(body.errors.map((e) => e.extensions), `${target} ${query}`).toEqual([{ code: 'BAD_USER_INPUT', field }]);
        }
      }
    }
  });

  it('answers a body that is not JSON with 400 whatever the client accepts', async () => {
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const response = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}` }, body: '{"query":' });
      expect(response.status, accept).toBe(400);
      expect(((await response.json()) as { errors: { extensions: unknown }[] }).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
    }
  });

  it('refuses a mutation over GET with 405 and Allow: POST, running nothing', async () => {
    const url = new URL(hub.gatewayUrl);
    url.searchParams.set('query', 'mutation { createCharity(input: { name: "Sent over GET" }) { charity { id } } }');
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/graphql-response+json' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    const body = (await response.json()) as { data?: unknown; errors: { message: string; extensions: unknown }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([{ message: 'Can only perform a mutation operation from a POST request.', extensions: { code: 'BAD_USER_INPUT', field: 'query' } }]);
    const written = await hub.db.query("SELECT count(*)::int AS n FROM donations.charities WHERE name = 'Sent over GET'");
    expect(written.rows[0].n).toBe(0);
  });
});
