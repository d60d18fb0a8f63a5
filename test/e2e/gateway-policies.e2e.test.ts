import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../scripts/lib/graphql-client';
import { count, startHub, type TestHub } from '../support/hub';

let hub: TestHub;
let partner: { id: string; token: string };
let member: { id: string; token: string };
beforeAll(async () => {
  hub = await startHub();
  partner = await hub.seed.partner({ currency: 'NOK' });
  member = await hub.seed.member(partner.token);
});
afterAll(async () => hub?.stop());

const TIERS = '{ tiers { name } }';
const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }';
const earnInput = () => ({ input: { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'RL', idempotencyKey: randomUUID() } });

async function post(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

const LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_WINDOW_MS: '60000',
  RATE_LIMIT_PARTNER: '4',
  RATE_LIMIT_MEMBER: '2',
  RATE_LIMIT_OTHER: '100',
  RATE_LIMIT_ANONYMOUS: '2',
};

describe('rate limits per caller (in memory, the default)', () => {
  it('shares one budget among all clients of a partner, refuses the rest with RATE_LIMITED and 429, and writes nothing', async () => {
    const gateway = await hub.startGateway(LIMITS);
    const other = await hub.seed.partner({ currency: 'NOK' });
    const secondClient = await hub.token({ scope: 'points:earn', partner_id: partner.id }, { subject: 'another-till' });
    const codes: unknown[] = [];
    for (const token of [partner.token, secondClient, partner.token, secondClient]) {
      codes.push((await post(gateway.url, { query: TIERS }, token)).body.errors?.[0]?.extensions?.code ?? 'ok');
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok']);

    const before = await count(hub.db, 'points.transactions', 'member_id = $1', [member.id]);
    const refused = await post(gateway.url, { query: EARN, variables: earnInput() }, secondClient);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED' });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(refused.body.data ?? null).toBeNull();
    expect(await count(hub.db, 'points.transactions', 'member_id = $1', [member.id])).toBe(before);

    // Another partner has its own budget; so has each member.
    expect((await post(gateway.url, { query: TIERS }, other.token)).body.errors).toBeUndefined();
    expect((await post(gateway.url, { query: '{ me { id } }' }, member.token)).body.errors).toBeUndefined();
    expect((await post(gateway.url, { query: '{ me { id } }' }, member.token)).body.errors).toBeUndefined();
    expect((await post(gateway.url, { query: '{ me { id } }' }, member.token)).body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('throttles requests without a valid token per address: UNAUTHENTICATED, then RATE_LIMITED', async () => {
    const gateway = await hub.startGateway(LIMITS);
    const statuses = [];
    for (const token of [undefined, 'forged', undefined]) statuses.push((await post(gateway.url, { query: TIERS }, token)).status);
    expect(statuses).toEqual([401, 401, 429]);
    // A valid token is counted against its own budget, not the address's.
    expect((await post(gateway.url, { query: TIERS }, partner.token)).status).toBe(200);
  });

  it('counts in the instance when Redis is unreachable, rather than stopping the hub', async () => {
    const gateway = await hub.startGateway({ ...LIMITS, REDIS_URL: 'redis://127.0.0.1:1' });
    const token = await hub.token({ scope: 'members:lookup', partner_id: randomUUID() });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(gateway.url, { query: TIERS }, token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});

// Runs where a Redis server is available, e.g. `REDIS_URL=redis://127.0.0.1:6379 npx vitest run test/e2e/gateway-policies.e2e.test.ts`.
describe.skipIf(!process.env.REDIS_URL)('rate limits shared through Redis', () => {
  it('gives two gateway instances one budget per partner', async () => {
    const env = { ...LIMITS, REDIS_URL: process.env.REDIS_URL };
    const [a, b] = [await hub.startGateway(env), await hub.startGateway(env)];
    const token = await hub.token({ scope: 'members:lookup', partner_id: randomUUID() }, { subject: `redis-${randomUUID()}` });
    const statuses = [];
    for (const gateway of [a, b, a, b, a, b]) statuses.push((await post(gateway.url, { query: TIERS }, token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});

describe('trusted documents', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const tiers = 'query Tiers { tiers { name } }';
  const earn = 'mutation Earn($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }';
  let url: string;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hub-trusted-')), 'manifest.json');
    writeFileSync(file, JSON.stringify({ [sha256(tiers)]: tiers, [sha256(earn)]: earn }));
    url = (await hub.startGateway({ TRUSTED_DOCUMENTS_FILE: file })).url;
  });

  it('runs a known operation by documentId or by the APQ hash', async () => {
    const byId = await post(url, { documentId: sha256(tiers) }, partner.token);
    expect(byId.body.errors).toBeUndefined();
    expect((byId.body.data?.tiers as unknown[]).length).toBeGreaterThan(0);
    const apq = await post(url, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(earn) } }, variables: earnInput() }, partner.token);
    expect(apq.body.errors).toBeUndefined();
    expect(apq.body.data?.earnPoints).toMatchObject({ transaction: { points: 10 } });
  });

  it('refuses any other document, an unknown id, and a document sent along with a known id', async () => {
    const before = await count(hub.db, 'points.transactions', 'member_id = $1', [member.id]);
    const arbitrary = await post(url, { query: EARN, variables: earnInput() }, partner.token);
    expect(arbitrary.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'documentId' });
    const unknown = await post(url, { documentId: sha256('{ partners { nodes { id } } }') }, partner.token);
    expect(unknown.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'documentId' });
    // A known id with a document of its own sent along: refused as a whole, the sent document never runs.
    const smuggled = await post(url, { documentId: sha256(tiers), query: EARN, variables: earnInput() }, partner.token);
    expect(smuggled.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'documentId' });
    expect(smuggled.body.data ?? null).toBeNull();
    expect(await count(hub.db, 'points.transactions', 'member_id = $1', [member.id])).toBe(before);
    // The default gateway (no manifest) still runs any document.
    expect((await graphql(hub.gatewayUrl, TIERS, {}, partner.token)).errors).toBeUndefined();
  });
});

describe('the log level', () => {
  it('starts and serves with LOG_LEVEL=silent in the process environment (the runtime\'s own loggers refuse that level)', async () => {
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'silent';
    try {
      const gateway = await hub.startGateway({ LOG_LEVEL: 'silent' });
      const answer = await graphql(gateway.url, '{ viewerPartner { id } }', {}, partner.token);
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({ viewerPartner: { id: partner.id } });
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });
});
