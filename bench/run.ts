import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { type ChildProcess } from 'node:child_process';
import { defaultSupergraphPath } from '../gateway/src/gateway';
import { loadSupergraph } from '../gateway/src/supergraph';
import { startApolloPeer } from './apollo-peer';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys, signDevToken, type DevKeys } from '../scripts/lib/dev-auth';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../scripts/lib/embedded-db';
import { spawnService, stopChild, waitReady } from '../scripts/lib/processes';
import { mustQuery } from '../scripts/lib/graphql-client';
import { SUBGRAPHS } from '../scripts/lib/subgraphs';
import { createTokenVerifier, ensureDatabase, runMain, withDatabase } from '../subgraphs/shared/src';

/**
 * The hub against its baselines, each figure a ratio of two measurements taken in the same run on the
 * same machine and database (these machines are noisy; absolute numbers are not comparable across runs):
 * - gatewayVsApollo: the member's unified balance through our gateway over the `@apollo/gateway` peer;
 * - gatewayVsDirect: a partner's card lookup through the gateway over the same query sent to the subgraph;
 * - earnVsPgbench: earns per second through the gateway over pgbench's tpcb-like TPS, same client count;
 * - hotPartner: earns with every earn at one partner over earns spread across 20 partners;
 * - historyLength: balance reads for a member with 100,000 postings over one with 10.
 * Load comes from a separate process (bench/load.ts), every virtual client with its own token.
 * Usage: npm run bench [-- --quick]. Prints a table, writes bench/results/latest.json and a dated copy.
 */
const exec = promisify(execFile);
const quick = process.argv.includes('--quick');
const DURATION_MS = quick ? 3_000 : 8_000;
const ROUNDS = quick ? 1 : 3;
const HISTORY = 100_000;

interface Figures {
  requests: number;
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, connections: number, requests: { token: string; body: string }[], durationMs = DURATION_MS): Promise<Figures> {
  const script = join(__dirname, 'load.js');
  const jobFile = join(tmpdir(), `hub-bench-job-${randomUUID()}.json`);
  writeFileSync(jobFile, JSON.stringify({ url, connections, durationMs, requests }));
  const { stdout } = await exec(process.execPath, [script, jobFile], { maxBuffer: 1 << 20 }).finally(() => rmSync(jobFile, { force: true }));
  return JSON.parse(stdout) as Figures;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** pgbench's tpcb-like TPS on a scratch database of the same server, or null when pgbench is not installed. */
async function pgbenchTps(adminUrl: string, clients: number, seconds: number): Promise<number | null> {
  try {
    await exec('pgbench', ['--version']);
  } catch {
    return null;
  }
  const database = `hub_pgbench_${Date.now()}`;
  await ensureDatabase(adminUrl, database);
  const url = withDatabase(adminUrl, database);
  try {
    await exec('pgbench', ['-i', '-q', '-s', '10', url]);
    const { stdout } = await exec('pgbench', ['-c', String(clients), '-j', '2', '-T', String(seconds), url]);
    const tps = /tps = ([\d.]+)/.exec(stdout);
    return tps ? Math.round(Number(tps[1])) : null;
  } finally {
    const db = new Pool({ connectionString: adminUrl, max: 1 });
    db.on('error', () => undefined);
    await db.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await db.end();
  }
}

/**
 * Starts the hub as `npm start` does: each subgraph and the gateway its own process (so they use both
 * cores, as in production), on free ports, waiting until each is ready.
 */
async function startHub(databaseUrl: string, keys: DevKeys): Promise<{ gatewayUrl: string; urls: Record<string, string>; stop(): Promise<void> }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTH_ISSUER: DEV_ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    AUTH_JWKS_FILE: keys.jwksFile,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    NODE_ENV: 'production',
    LEDGER_SWEEP_INTERVAL_MS: '0',
    // The bench measures throughput: a per-partner budget would cap it.
    RATE_LIMIT_ENABLED: 'false',
  };
  const dist = join(__dirname, '..');
  const urls: Record<string, string> = {};
  for (const d of SUBGRAPHS) urls[d.name] = `http://127.0.0.1:${await freePort()}/graphql`;
  const routing = { MEMBERS_URL: urls.members, POINTS_URL: urls.points, PARTNERS_URL: urls.partners, DONATIONS_URL: urls.donations };
  const children: ChildProcess[] = [];
  try {
    for (const d of SUBGRAPHS) {
      children.push(spawnService(d.name, join(dist, 'subgraphs', d.name, 'src', 'index.js'), { ...env, ...routing, PORT: new URL(urls[d.name]).port }));
    }
    await Promise.all(SUBGRAPHS.map((d, i) => waitReady(new URL('/readyz', urls[d.name]).toString(), children[i])));
    const gatewayPort = await freePort();
    const gateway = spawnService('gateway', join(dist, 'gateway', 'src', 'index.js'), { ...env, ...routing, PORT: String(gatewayPort) });
    children.push(gateway);
    await waitReady(`http://127.0.0.1:${gatewayPort}/readyz`, gateway);
    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
      urls,
      async stop() {
        for (const child of [...children].reverse()) await stopChild(child);
      },
    };
  } catch (error) {
    for (const child of children) await stopChild(child);
    throw error;
  }
}

runMain(async () => {
  const work = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  chmodSync(work, 0o755);
  let embedded: EmbeddedDatabase | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(join(work, 'pg'), (line) => {
      if (process.env.BENCH_PG_LOG) console.error(`[pg] ${line}`);
    });
    adminUrl = embedded.adminUrl;
  }
  const database = `hub_bench_${Date.now()}`;
  await ensureDatabase(adminUrl, database);
  const databaseUrl = withDatabase(adminUrl, database);
  const keys = await ensureDevKeys(join(work, 'auth'));
  const hub = await startHub(databaseUrl, keys);
  const db = new Pool({ connectionString: databaseUrl, max: 2 });
  db.on('error', () => undefined);
  try {
    const admin = await signDevToken(keys, { kind: 'admin' });
    const partners: { id: string; token: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const data = await mustQuery<{ createPartner: { partner: { id: string } } }>(
        hub.gatewayUrl,
        'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
        { input: { name: `Bench partner ${i}`, currency: 'NOK' } },
        admin,
      );
      const id = data.createPartner.partner.id;
      partners.push({ id, token: await signDevToken(keys, { kind: 'partner', id }) });
    }
    const members: { id: string; token: string; cardNumber: string }[] = [];
    for (let i = 0; i < 200; i++) {
      const data = await mustQuery<{ enrollMember: { member: { id: string; cardNumber: string } } }>(
        hub.gatewayUrl,
        'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id cardNumber } } }',
        { input: { email: `bench-${i}@example.com`, displayName: `Bench ${i}`, idempotencyKey: `bench-${i}` } },
        partners[i % partners.length].token,
      );
      const { id, cardNumber } = data.enrollMember.member;
      members.push({ id, cardNumber, token: await signDevToken(keys, { kind: 'member', id }) });
    }
    const earn = (partnerToken: string, memberId: string, key: string) =>
      mustQuery(
        hub.gatewayUrl,
        'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
        { input: { memberId, purchase: { amount: '10.00', currency: 'NOK' }, reference: key, idempotencyKey: key } },
        partnerToken,
      );
    // The small member: 10 earns. The large member: one real earn, then 99,999 more written in bulk
    // through the same ledger tables and triggers (every balance and lot stays consistent).
    const [small, large] = members;
    for (let i = 0; i < 10; i++) await earn(partners[0].token, small.id, randomUUID());
    await earn(partners[0].token, large.id, randomUUID());
    const seedStarted = performance.now();
    // Batches of 1,000 transactions: one database transaction updating the member's balance row
    // 100,000 times would walk an ever longer chain of row versions (quadratic); batches keep it short.
    const client = await db.connect();
    for (let written = 0; written < HISTORY - 1; written += 1_000) {
      await client.query(
        `WITH accts AS (
           SELECT (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1) AS member_account,
                  (SELECT id FROM points.accounts WHERE kind = 'PARTNER_ISSUED' AND owner_id = $2) AS issued_account
         ), tx AS (
           INSERT INTO points.transactions (kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate, base_points, tier_multiplier_milli, campaign_bonus)
           SELECT 'EARN', $2, $1, 'bulk-' || ($4::int + g), 1, 100, 'NOK', 1, 1, 1000, 0 FROM generate_series(1, $3::int) g RETURNING id
         ), lots AS (
           INSERT INTO points.lots (account_id, transaction_id, partner_id, points, remaining, expires_at)
           SELECT accts.member_account, tx.id, $2, 1, 1, now() + interval '24 months' FROM tx, accts
         )
         INSERT INTO points.postings (transaction_id, account_id, amount)
         SELECT tx.id, accts.member_account, 1 FROM tx, accts
         UNION ALL SELECT tx.id, accts.issued_account, -1 FROM tx, accts`,
        [large.id, partners[0].id, Math.min(1_000, HISTORY - 1 - written), written],
      );
    }
    client.release();
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const count = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM points.postings p JOIN points.accounts a ON a.id = p.account_id WHERE a.kind = 'MEMBER' AND a.owner_id = $1`,
      [large.id],
    );
    await db.query('ANALYZE');

    const balance = JSON.stringify({ query: '{ me { points { balance available } } }' });
    const balanceRuns = { small: [] as Figures[], large: [] as Figures[] };
    await load(hub.gatewayUrl, 10, [{ token: small.token, body: balance }], 1_500); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      balanceRuns.small.push(await load(hub.gatewayUrl, 10, [{ token: small.token, body: balance }]));
      balanceRuns.large.push(await load(hub.gatewayUrl, 10, [{ token: large.token, body: balance }]));
    }

    const earnBody = (memberId: string) =>
      JSON.stringify({
        query: 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
        variables: { input: { memberId, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'bench-$SEQ', idempotencyKey: 'bench-$SEQ' } },
      });
    const earners = members.slice(2);
    const hot = earners.map((m) => ({ token: partners[0].token, body: earnBody(m.id) }));
    const spread = earners.map((m, i) => ({ token: partners[i % partners.length].token, body: earnBody(m.id) }));
    const earnRuns = { hot: [] as Figures[], spread: [] as Figures[] };
    await load(hub.gatewayUrl, 20, spread, 1_500); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      earnRuns.hot.push(await load(hub.gatewayUrl, 20, hot));
      earnRuns.spread.push(await load(hub.gatewayUrl, 20, spread));
    }

    // The peer gateway, on the same supergraph and subgraphs.
    const { sdl } = loadSupergraph(defaultSupergraphPath(), hub.urls);
    const peer = await startApolloPeer(sdl, createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwksFile: keys.jwksFile }));
    const unified = JSON.stringify({ query: '{ me { displayName cardNumber points { balance available } donations { id } } }' });
    const unifiedRequests = members.map((m) => ({ token: m.token, body: unified }));
    const lookupRequests = members.map((m, i) => ({
      token: partners[i % partners.length].token,
      body: JSON.stringify({ query: 'query($c: String!) { memberByCard(cardNumber: $c) { id displayName cardNumber } }', variables: { c: m.cardNumber } }),
    }));
    const peerRuns = { hive: [] as Figures[], apollo: [] as Figures[], gateway: [] as Figures[], direct: [] as Figures[] };
    await load(hub.gatewayUrl, 10, unifiedRequests, 1_500);
    await load(peer.url, 10, unifiedRequests, 1_500);
    for (let r = 0; r < ROUNDS; r++) {
      peerRuns.hive.push(await load(hub.gatewayUrl, 10, unifiedRequests));
      peerRuns.apollo.push(await load(peer.url, 10, unifiedRequests));
      peerRuns.gateway.push(await load(hub.gatewayUrl, 10, lookupRequests));
      peerRuns.direct.push(await load(hub.urls.members, 10, lookupRequests));
    }
    await peer.stop();
    const pgbench = await pgbenchTps(adminUrl, 20, Math.round(DURATION_MS / 1000));

    const summary = (runs: Figures[]) => ({
      throughput: median(runs.map((r) => r.throughput)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((s, r) => s + r.errors, 0),
    });
    const result = {
      at: new Date().toISOString(),
      quick,
      rounds: ROUNDS,
      durationMs: DURATION_MS,
      seed: { largeMemberPostings: Number(count.rows[0].n), bulkSeconds: Number(seedSeconds.toFixed(1)) },
      scenarios: {
        unifiedBalanceGateway: summary(peerRuns.hive),
        unifiedBalanceApolloPeer: summary(peerRuns.apollo),
        cardLookupGateway: summary(peerRuns.gateway),
        cardLookupDirect: summary(peerRuns.direct),
        balanceSmallHistory: summary(balanceRuns.small),
        balanceLargeHistory: summary(balanceRuns.large),
        earnOnePartner: summary(earnRuns.hot),
        earnTwentyPartners: summary(earnRuns.spread),
      },
      baseline: { pgbenchTps: pgbench, clients: 20 },
      ratios: {} as Record<string, number | null>,
    };
    const ratio = (a: number, b: number | null) => (b ? Number((a / b).toFixed(3)) : null);
    result.ratios.gatewayVsApollo = ratio(result.scenarios.unifiedBalanceGateway.throughput, result.scenarios.unifiedBalanceApolloPeer.throughput);
    result.ratios.gatewayVsDirect = ratio(result.scenarios.cardLookupGateway.throughput, result.scenarios.cardLookupDirect.throughput);
    result.ratios.earnVsPgbench = ratio(result.scenarios.earnTwentyPartners.throughput, pgbench);
    result.ratios.historyLength = Number((result.scenarios.balanceLargeHistory.throughput / result.scenarios.balanceSmallHistory.throughput).toFixed(3));
    result.ratios.hotPartner = Number((result.scenarios.earnOnePartner.throughput / result.scenarios.earnTwentyPartners.throughput).toFixed(3));

    console.log(`\nBenchmark (${quick ? 'quick' : 'full'}: ${ROUNDS} round(s) of ${DURATION_MS / 1000} s, medians)`);
    console.log(`large member: ${result.seed.largeMemberPostings} postings, bulk-written in ${result.seed.bulkSeconds} s\n`);
    console.log('scenario                    req/s    p50 ms   p99 ms   errors');
    for (const [name, s] of Object.entries(result.scenarios)) {
      console.log(`${name.padEnd(26)} ${String(s.throughput).padStart(6)} ${String(s.p50).padStart(9)} ${String(s.p99).padStart(8)} ${String(s.errors).padStart(8)}`);
    }
    console.log(`pgbench (tpcb-like, 20 clients): ${pgbench ?? 'not installed'} tps`);
    console.log('\nratios (same run):');
    for (const [name, value] of Object.entries(result.ratios)) console.log(`  ${name.padEnd(16)} ${value ?? 'n/a'}`);
    const dir = join(__dirname, '..', '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(dir, `${result.at.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await db.end();
    await hub.stop();
    if (embedded) await embedded.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
