import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type RunningServer, type RunningSubgraph } from '../../lib/src';
import { graphql } from '../../scripts/lib/graphql-client';
import { MaintenanceService } from '../../subgraphs/points/src/services/maintenance.service';
import { count, startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

/**
 * Two of everything on one database: the test hub's instance of each subgraph and its gateway, and a second
 * instance of each subgraph behind a second gateway. Requests alternate between the two stacks; the ledger's
 * guarantees must not depend on which instance a request lands on, and background work runs on both.
 */

let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;
let second: Record<'members' | 'points' | 'partners' | 'donations', RunningSubgraph>;
let gateway2: RunningServer;
let gateways: string[];

const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }';
const REDEEM = 'mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { transaction { id points } } }';

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { PLEDGE_RELAY_INTERVAL_MS: '200', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' } });
  ledger = ledgerClient(hub);
  const partners = await hub.startSubgraphInstance('partners');
  const members = await hub.startSubgraphInstance('members', { PARTNERS_URL: partners.url });
  const points = await hub.startSubgraphInstance('points', { PARTNERS_URL: partners.url, MEMBERS_URL: members.url });
  const donations = await hub.startSubgraphInstance('donations', { PARTNERS_URL: partners.url, MEMBERS_URL: members.url, POINTS_URL: points.url });
  second = { members, points, partners, donations };
  gateway2 = await hub.startGateway({ MEMBERS_URL: members.url, POINTS_URL: points.url, PARTNERS_URL: partners.url, DONATIONS_URL: donations.url });
  gateways = [hub.gatewayUrl, gateway2.url];
}, 180_000);

afterAll(async () => {
  await hub?.stop();
});

describe('two instances of each subgraph and two gateways on one database', () => {
  it('lets exactly 3 of 12 concurrent redemptions of 30 spend 100 points, spread over both stacks', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '100.00', 'NOK');
    const codes = await Promise.all(Array.from({ length: 12 }, () => ledger.code(member.token)));
    const results = await Promise.all(
      codes.map((code, i) =>
        graphql<{ redeemPoints: { transaction: { id: string } } }>(gateways[i % 2], REDEEM, { input: { memberId: member.id, points: 30, redemptionCode: code, reference: `R-${i}`, idempotencyKey: randomUUID() } }, partner.token),
      ),
    );
    const outcomes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok');
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'INSUFFICIENT_POINTS')).toHaveLength(9);
    expect(await ledger.points(member.token)).toEqual({ balance: 10, available: 10, pending: 0 });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('replays an idempotent earn retried on the other stack', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    const input = { memberId: member.id, purchase: { amount: '42.00', currency: 'NOK' }, reference: 'RETRY-1', idempotencyKey: randomUUID() };
    const first = await graphql<{ earnPoints: { transaction: { id: string; points: number } } }>(gateways[0], EARN, { input }, partner.token);
    const retry = await graphql<{ earnPoints: { transaction: { id: string; points: number } } }>(gateways[1], EARN, { input }, partner.token);
    expect(first.errors).toBeUndefined();
    expect(retry.data).toEqual(first.data);
    expect(await count(hub.db, 'points.transactions', 'member_id = $1', [member.id])).toBe(1);
  });

  it('relays each earn to pledges once with a relay running in both points instances', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    const earns = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        graphql<{ earnPoints: { transaction: { id: string } } }>(gateways[i % 2], EARN, { input: { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: `P-${i}`, idempotencyKey: randomUUID() } }, partner.token),
      ),
    );
    const ids = earns.map((e) => e.data!.earnPoints.transaction.id);
    const deadline = Date.now() + 20_000;
    while ((await count(hub.db, 'points.earn_outbox', 'transaction_id = ANY($1::uuid[]) AND delivered_at IS NOT NULL', [ids])) < 20) {
      if (Date.now() > deadline) throw new Error('the relays did not deliver the 20 earns within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await count(hub.db, 'donations.pledge_accruals', 'earn_id = ANY($1::uuid[])', [ids])).toBe(20);
  });

  it('expires each lot once when both instances sweep at the same time', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const members = await Promise.all(Array.from({ length: 5 }, () => hub.seed.member(partner.token)));
    for (const m of members) await hub.seed.earn(partner.token, m.id, '30.00', 'NOK');
    const ids = members.map((m) => m.id);
    await hub.db.query(
      `UPDATE points.lots SET expires_at = now() - interval '1 second' WHERE account_id IN (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = ANY($1::uuid[]))`,
      [ids],
    );
    const logger = createLogger('test', 'silent');
    const swept = await Promise.all([hub.subgraphs.points!, second.points].map((p) => new MaintenanceService(p.dataSource, logger).expireLots()));
    expect(swept[0] + swept[1]).toBe(150);
    expect(await count(hub.db, 'points.transactions', `kind = 'EXPIRY' AND member_id = ANY($1::uuid[])`, [ids])).toBe(5);
    for (const m of members) expect(await ledger.points(m.token)).toEqual({ balance: 0, available: 0, pending: 0 });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});

describe('rate limits across gateways', () => {
  it('gives a partner one budget over two gateways sharing Redis', async (context) => {
    if (!process.env.REDIS_URL) {
      console.log('scale-out: rate limits across gateways skipped: REDIS_URL is unset (.ci/run sets it where Redis runs)');
      context.skip();
    }
    const env = { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_WINDOW_MS: '60000', RATE_LIMIT_PARTNER: '4', REDIS_URL: process.env.REDIS_URL };
    const a = await hub.startGateway({ ...env, MEMBERS_URL: hub.urls.members, POINTS_URL: hub.urls.points, PARTNERS_URL: hub.urls.partners, DONATIONS_URL: hub.urls.donations });
    const b = await hub.startGateway({ ...env, MEMBERS_URL: second.members.url, POINTS_URL: second.points.url, PARTNERS_URL: second.partners.url, DONATIONS_URL: second.donations.url });
    const token = await hub.token({ scope: 'members:lookup', partner_id: randomUUID() }, { subject: `scale-${randomUUID()}` });
    const codes: string[] = [];
    for (const url of [a.url, b.url, a.url, b.url, a.url, b.url]) codes.push((await graphql(url, '{ tiers { name } }', {}, token)).errors?.[0]?.extensions?.code ?? 'ok');
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});
