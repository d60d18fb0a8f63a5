import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from 'type-graphql';
import { Query, Resolver } from 'type-graphql';
import { createLogger, createTokenVerifier, startSubgraphServer, type RunningServer } from '../src';
import { createTestKeys, signToken, TEST_AUDIENCE, TEST_ISSUER, type TestKeys } from '../../test/support/keys';

@Resolver()
class FailingResolver {
  @Query(() => String)
  leaky(): string {
    throw new Error('relation "secret_ledger_table" does not exist at SELECT * FROM secret_ledger_table');
  }
}

let server: RunningServer;
let keys: TestKeys;
beforeAll(async () => {
  keys = await createTestKeys();
  server = await startSubgraphServer({
    name: 'test',
    schema: await buildSchema({ resolvers: [FailingResolver] }),
    verifier: createTokenVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksFile: keys.jwksFile }),
    logger: createLogger('test', 'silent'),
    host: '127.0.0.1',
    port: 0,
    production: true,
    createContext: (viewer, requestId) => ({ viewer, requestId }),
    checkReady: async () => undefined,
    maxBodyBytes: 10_000,
  });
});
afterAll(async () => server?.stop());

const post = async (body: string, token?: string) =>
  fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

describe('subgraph server', () => {
  it('masks an unexpected error as INTERNAL with a request id, and leaks no SQL, table name or stack', async () => {
    const response = await post(JSON.stringify({ query: '{ leaky }' }), await signToken(keys, { scope: 'admin' }));
    const text = await response.text();
    const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string; requestId: string } }[] };
    expect(body.errors[0].extensions.code).toBe('INTERNAL');
    expect(body.errors[0].extensions.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(text).not.toMatch(/secret_ledger_table|SELECT|stack|at /);
  });

  it('refuses oversized bodies, batched requests and introspection in production', async () => {
    const token = await signToken(keys, { scope: 'admin' });
    expect((await post(JSON.stringify({ query: `{ leaky ${' '.repeat(20_000)} }` }), token)).status).toBe(413);
    const batch = await post(JSON.stringify([{ query: '{ leaky }' }, { query: '{ leaky }' }]), token);
    expect(batch.status).toBe(400);
    const introspection = (await (await post(JSON.stringify({ query: '{ __schema { types { name } } }' }), token)).json()) as { errors?: unknown[] };
    expect(introspection.errors?.length).toBeGreaterThan(0);
  });

  it('serves /healthz and /readyz without a token', async () => {
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
    expect((await fetch(new URL('/readyz', server.url))).status).toBe(200);
  });
});
