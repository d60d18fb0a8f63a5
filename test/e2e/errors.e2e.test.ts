import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';

// The donations subgraph is deliberately not started: the gateway still points at it.
let hub: TestHub;
let partner: { id: string; token: string };
let member: { id: string; token: string };
beforeAll(async () => {
  hub = await startHub({ subgraphs: ['members', 'points', 'partners'] });
  partner = await hub.seed.partner({ currency: 'NOK' });
  member = await hub.seed.member(partner.token);
});
afterAll(async () => hub?.stop());

const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }';

describe('errors leaving the gateway', () => {
  it('masks a failing subgraph as INTERNAL with the request id, leaking no address, query or service detail', async () => {
    const requestId = `test-${randomUUID()}`;
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${member.token}`, 'x-request-id': requestId },
      body: JSON.stringify({ query: '{ me { displayName donations { id } } }' }),
    });
    const text = await response.text();
    const body = JSON.parse(text) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0].extensions).toEqual({ code: 'INTERNAL', requestId });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|_entities|representations|serviceName|stack/);
  });

  it('answers malformed variables with BAD_USER_INPUT naming the field', async () => {
    const input = { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'R', idempotencyKey: randomUUID() };
    const cases: [string, Record<string, unknown>, string][] = [
      ['amount sent as a number', { input: { ...input, purchase: { amount: 12.5, currency: 'NOK' } } }, 'purchase.amount'],
      ['missing reference', { input: { ...input, reference: undefined } }, 'reference'],
      ['missing nested amount', { input: { ...input, purchase: { currency: 'NOK' } } }, 'purchase.amount'],
      ['no input at all', {}, 'input'],
    ];
    for (const [name, variables, field] of cases) {
      const result = await hub.query(EARN, variables, partner.token);
      expect(result.errors?.[0]?.extensions, name).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    const syntax = await hub.query('{ me { ', {}, member.token);
    expect(syntax.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
    const unknownField = await hub.query('{ me { nickname } }', {}, member.token);
    expect(unknownField.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
  });

  it('tells an unauthenticated caller nothing about the schema', async () => {
    const result = await hub.query('{ memb { emai } }', {});
    expect(result.status).toBe(401);
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(JSON.stringify(result)).not.toMatch(/Did you mean|member|email/);
  });

  it('answers bodies that are not one JSON operation with BAD_USER_INPUT on the query, and runs a JSON one whatever its charset', async () => {
    const post = async (body: string, contentType = 'application/json') => {
      const response = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${member.token}` }, body });
      return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
    };
    // The gateway reads a JSON body itself (to spare Yoga's byte-counting stream); these must still be Yoga's answers.
    const cases: [string, string][] = [
      ['{"query": "{ me { id } }"', 'POST body sent invalid JSON.'],
      ['', 'POST body sent invalid JSON.'],
      ['42', 'POST body is expected to be object but received number'],
      ['null', 'POST body is expected to be object but received null'],
      ['"text"', 'POST body is expected to be object but received string'],
      ['[]', 'Batching is not supported.'],
      ['{}', 'Must provide query string.'],
    ];
    for (const [body, message] of cases) {
      const result = await post(body);
      expect(result.body.errors, body).toEqual([{ message, extensions: { code: 'BAD_USER_INPUT', field: 'query' } }]);
      expect(result.body.data, body).toBeUndefined();
    }
    const ok = await post(JSON.stringify({ query: '{ me { id } }' }), 'application/json; charset=utf-8');
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ me: { id: member.id } });
    const graphqlJson = await post(JSON.stringify({ query: '{ me { id } }' }), 'application/graphql+json');
    expect(graphqlJson.body.data).toEqual({ me: { id: member.id } });
  });

  it('refuses oversized and length-less bodies before reading them', async () => {
    const big = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${member.token}` },
      body: JSON.stringify({ query: `{ me { id } }${' '.repeat(200_000)}` }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { errors: { extensions: unknown }[] }).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });

    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(hub.gatewayUrl);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${member.token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"query":"{ me { id } }"}'); // no Content-Length: Node sends it chunked
      req.end();
    });
    expect(status).toBe(411);
  });
});
