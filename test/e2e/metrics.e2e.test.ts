import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../scripts/lib/graphql-client';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient } from '../support/ledger';

// Every process answers GET /metrics on its own port (Prometheus text). A database of its own: the
// sweeper runs here (every 200 ms) and the backlog gauges count this hub's rows only.
let hub: TestHub;
beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { LEDGER_SWEEP_INTERVAL_MS: '200', PLEDGE_RELAY_INTERVAL_MS: '0', LOG_LEVEL: 'error' } });
});
afterAll(async () => hub?.stop());

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');

async function scrape(graphqlUrl: string, token?: string): Promise<string> {
  const response = await fetch(metricsUrl(graphqlUrl), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample, matched by name and (a subset of) labels; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[4]);
  }
  return undefined;
}

const EARN = 'mutation MetricsEarn($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }';

describe('GET /metrics', () => {
  it('counts an earn exactly once (not its replay) and times the operation at the gateway and in points', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    const before = await scrape(hub.urls.points);
    const earnsBefore = sample(before, 'hub_earns_total', { service: 'points' }) ?? 0;
    const pointsBefore = sample(before, 'hub_earned_points_total', { service: 'points' }) ?? 0;

    const key = randomUUID();
    const input = { memberId: member.id, purchase: { amount: '123.00', currency: 'NOK' }, reference: `R-${key}`, idempotencyKey: key };
    const first = await graphql<{ earnPoints: { transaction: { points: number } } }>(hub.gatewayUrl, EARN, { input }, partner.token);
    expect(first.errors).toBeUndefined();
    // The same key again: the stored answer, no second earn, nothing counted.
    const replay = await graphql(hub.gatewayUrl, EARN, { input }, partner.token);
    expect(replay.errors).toBeUndefined();

    const after = await scrape(hub.urls.points);
    expect(sample(after, 'hub_earns_total', { service: 'points' })).toBe(earnsBefore + 1);
    expect(sample(after, 'hub_earned_points_total', { service: 'points' })).toBe(pointsBefore + first.data!.earnPoints.transaction.points);

    const gateway = await scrape(hub.gatewayUrl);
    const op = { service: 'gateway', operation: 'MetricsEarn', outcome: 'OK' };
    expect(sample(gateway, 'hub_graphql_requests_total', op)).toBe(2);
    expect(sample(gateway, 'hub_graphql_request_duration_seconds_count', op)).toBe(2);
    expect(sample(gateway, 'hub_graphql_request_duration_seconds_bucket', { ...op, le: '+Inf' })).toBe(2);
    // The Hive gateway's Prometheus plugin: time per call to each subgraph.
    expect(sample(gateway, 'graphql_gateway_subgraph_execute_duration_count', { subgraphName: 'points' })).toBeGreaterThanOrEqual(2);

    // The points subgraph times the operation the gateway sent it.
    const subgraph = await scrape(hub.urls.points);
    const lines = subgraph.split('\n').filter((l) => l.startsWith('hub_graphql_request_duration_seconds_count{') && l.includes('outcome="OK"'));
    expect(lines.length).toBeGreaterThan(0);
  });

  it('labels a refused operation with its error code', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const key = randomUUID();
    const input = { memberId: randomUUID(), purchase: { amount: '-1.00', currency: 'NOK' }, reference: `R-${key}`, idempotencyKey: key };
    const refused = await graphql(hub.gatewayUrl, EARN.replace('MetricsEarn', 'MetricsEarnRefused'), { input }, partner.token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const gateway = await scrape(hub.gatewayUrl);
    expect(sample(gateway, 'hub_graphql_requests_total', { operation: 'MetricsEarnRefused', outcome: 'BAD_USER_INPUT' })).toBe(1);
    expect(sample(gateway, 'hub_graphql_requests_total', { operation: 'MetricsEarnRefused', outcome: 'OK' })).toBeUndefined();
    const anonymous = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query MetricsNoToken { __typename }' }) });
    expect(anonymous.status).toBe(401);
    expect(sample(await scrape(hub.gatewayUrl), 'hub_graphql_requests_total', { outcome: 'UNAUTHENTICATED' })).toBeGreaterThanOrEqual(1);
  });

  it('counts redemptions with their points', async () => {
    const ledger = ledgerClient(hub);
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '100.00', 'NOK');
    const before = await scrape(hub.urls.points);
    const redeemed = await ledger.redeem(partner.token, member.id, 30, await ledger.code(member.token));
    expect(redeemed.errors).toBeUndefined();
    const after = await scrape(hub.urls.points);
    const labels = { kind: 'redeem' };
    expect(sample(after, 'hub_redemptions_total', labels)).toBe((sample(before, 'hub_redemptions_total', labels) ?? 0) + 1);
    expect(sample(after, 'hub_redeemed_points_total', labels)).toBe((sample(before, 'hub_redeemed_points_total', labels) ?? 0) + 30);
  });

  it('reports pool usage, the outbox backlog, pending donations and sweeper runs', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '10.00', 'NOK');
    // The relay is off here: every earn's event waits in the outbox.
    const undelivered = Number((await hub.db.query('SELECT count(*) FROM points.earn_outbox WHERE delivered_at IS NULL')).rows[0].count);
    expect(undelivered).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const points = await scrape(hub.urls.points);
    expect(sample(points, 'hub_outbox_backlog_events', { consumer: 'pledge_relay' })).toBe(undelivered);
    expect(sample(points, 'hub_outbox_oldest_age_seconds', { consumer: 'pledge_relay' })).toBeGreaterThan(0);
    expect(sample(points, 'hub_webhook_deliveries_pending')).toBe(0);
    expect(sample(points, 'hub_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(sample(points, 'hub_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(sample(points, 'hub_sweeper_runs_total', { outcome: 'ok' })).toBeGreaterThan(0);
    const donations = await scrape(hub.urls.donations);
    expect(sample(donations, 'hub_donations_pending', { service: 'donations' })).toBe(0);
    expect(sample(donations, 'hub_db_pool_connections', { service: 'donations', state: 'total' })).toBeGreaterThan(0);
    expect(sample(donations, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('answers only the METRICS_TOKEN bearer when one is set', async () => {
    const token = 'metrics-token-0123456789';
    const gateway = await hub.startGateway({ METRICS_TOKEN: token });
    const url = metricsUrl(gateway.url);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer metrics-token-0123456780' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // Without the setting, /metrics is open (like /healthz): keep the port on the private network.
    expect((await fetch(metricsUrl(hub.gatewayUrl))).status).toBe(200);
  });
});
