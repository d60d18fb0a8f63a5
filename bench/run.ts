import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { type ChildProcess } from 'node:child_process';
import { defaultSupergraphPath } from '../gateway/src/gateway';
import { loadSupergraph } from '../gateway/src/supergraph';
import { startApolloPeer } from './apollo-peer';
import { measureEventPipeline, type EventFigures } from './events';
import { startHivePeer } from './hive-peer';
import type { Figures, Job, Step } from './load';
import { growHistory, growMembers, settleSeededOutbox, type SeededMember } from './seed';
import { seedSegmentFacts } from './segments';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys, ensureServiceKey, signDevToken, type DevKeys } from '../scripts/lib/dev-auth';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../scripts/lib/embedded-db';
import { spawnService, stopChild, waitReady } from '../scripts/lib/processes';
import { mustQuery } from '../scripts/lib/graphql-client';
import { SUBGRAPHS } from '../scripts/lib/subgraphs';
import { createTokenVerifier, ensureDatabase, runMain, withDatabase } from '../lib/src';

/**
 * The hub against its baselines, each figure a ratio of two measurements taken in the same run on the
 * same machine and database (these machines are noisy; absolute numbers are not comparable across runs):
 * - gatewayVsApollo: the member's unified balance through our gateway over the `@apollo/gateway` peer;
 * - gatewayVsHive, gatewayVsHiveLookup: the unified balance and a card lookup through our gateway (auth, limits,
 *   metrics, and with --tracing traces exported) over the stock Hive gateway runtime (no plugins) on the same
 *   supergraph and subgraphs; gatewayVsHiveSameSettings(Lookup): over that runtime with the hub's own runtime
 *   settings (planner, fetch), so that only the plugins differ (run with --mode processes: then both gateways
 *   reach the subgraphs over HTTP);
 * - gatewayVsDirect: a partner's card lookup through the gateway over the same query sent to the subgraph;
 * - earnVsPgbench: earns per second through the gateway over pgbench's tpcb-like TPS, same client count;
 * - hotPartner: earns with every earn at one partner over earns spread across 20 partners;
 * - historyLength: balance reads for a member with 100,000 postings over one with 10.
 * Segments (`--only segments`, or part of a full run): over `--segment-members` members (1,000,000 by
 * default), the time to count a segment (Segment.size through the gateway, several rules) and to decide
 * one member (Segment.includesMember, and Member.offers under load with a personal offer in the catalogue).
 * Load comes from a separate process (bench/load.ts, autocannon), every virtual client its own member
 * or partner with its own token. The `events` scenario (bench/events.ts) then holds the event outbox at
 * --events-rate events/s (200) and measures the pledge relay's and the webhook delivery's lag.
 * Usage: npm run bench [-- --quick] [-- --members N --postings N --history N --growth N,N|none --only prefix,…
 * --profile --mode processes --tracing --rounds N --events-rate N --events-seconds N --events-warmup N --segment-members N]. Prints a table, writes
 * bench/results/latest.json and a dated copy.
 */
const exec = promisify(execFile);
const quick = process.argv.includes('--quick');
const DURATION_MS = quick ? 3_000 : 8_000;
const ROUNDS = option('rounds', quick ? 1 : 3);
const CLIENTS = 20;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}
const MEMBERS = option('members', quick ? 10_000 : 100_000);
const POSTINGS = option('postings', quick ? 300_000 : 1_000_000);
const HISTORY = option('history', 100_000);
/** `--only earn,unified`: run just the scenarios whose names start so (for profiling one path). */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
const wanted = (name: string) => !ONLY || ONLY.some((prefix) => name.startsWith(prefix));
/** `--only segments`: the segments stage alone, on a membership of its own size. */
const SEGMENTS_ONLY = ONLY !== null && ONLY.every((prefix) => prefix.startsWith('segments') || 'segments'.startsWith(prefix));
/** Members the segment counts run over (grown with one earn each past the main data set). */
const SEGMENT_MEMBERS = option('segment-members', quick && !SEGMENTS_ONLY ? MEMBERS : 1_000_000);
/** `--profile`: every hub process writes a V8 CPU profile to bench/results/profiles when it stops. */
const PROFILE = process.argv.includes('--profile');
/** `--mode processes`: each part its own process; default `single`, the hub in one process as `npm start` runs it. */
const MODE = process.argv.includes('--mode') ? process.argv[process.argv.indexOf('--mode') + 1] : 'single';
if (MODE !== 'single' && MODE !== 'processes') throw new Error('--mode is single or processes');
const PARTNERS = 20;
const CHARITIES = 10;
/** `--tracing`: every hub process exports its traces over OTLP (to a sink in this process that answers 200). */
const TRACING = process.argv.includes('--tracing');
/** The events scenario: the outbox's sustained rate (events/s) and how long it is held. */
const EVENTS_RATE = option('events-rate', 200);
const EVENTS_SECONDS = option('events-seconds', quick ? 20 : 60);
/** Seconds at that rate before the measured window (the events scenario starts the hub afresh). */
const EVENTS_WARMUP = option('events-warmup', 10);
/** The growth curve: the unified balance and earn at 10x steps of membership, full runs only (`--growth 10000,100000` to choose, `--growth none` for none). */
const GROWTH = process.argv.includes('--growth')
  ? process.argv[process.argv.indexOf('--growth') + 1] === 'none'
    ? []
    : process.argv[process.argv.indexOf('--growth') + 1].split(',').map(Number)
  : quick
    ? []
    : [10_000, 100_000, 1_000_000];
if (GROWTH.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--growth is a list of positive whole numbers, or none');

async function load(url: string, connections: number, flows: Step[][], durationMs = DURATION_MS): Promise<Figures> {
  const script = join(__dirname, 'load.js');
  const jobFile = join(tmpdir(), `hub-bench-job-${randomUUID()}.json`);
  const job: Job = { url, connections, durationMs, flows };
  writeFileSync(jobFile, JSON.stringify(job));
  const before = { hub: cpuMs(measured.hub), db: cpuMs(measured.db()), front: frontCpuMs() };
  const { stdout } = await exec(process.execPath, [script, jobFile], { maxBuffer: 1 << 20 }).finally(() => rmSync(jobFile, { force: true }));
  const figures = JSON.parse(stdout) as Figures;
  const done = figures.requests / Math.max(...flows.map((f) => f.length));
  if (done > 0 && measured.hub.length > 0) figures.hubCpuMsPerFlow = Number(((cpuMs(measured.hub) - before.hub) / done).toFixed(2));
  if (done > 0 && measured.postmaster) figures.dbCpuMsPerFlow = Number(((cpuMs(measured.db()) - before.db) / done).toFixed(2));
  if (done > 0 && measured.gateway !== null) figures.frontCpuMsPerFlow = Number(((frontCpuMs() - before.front) / done).toFixed(3));
  return figures;
}

/** The hub `load` measures from now on: all its processes, and its gateway process (started last) in `--mode processes`. */
function measureHub(hub: { pids: number[] }): void {
  measured.hub = hub.pids;
  measured.gateway = MODE === 'processes' ? hub.pids[hub.pids.length - 1] : null;
}

/**
 * CPU time (ms) of whatever gateway answered: the hub's own gateway process (`--mode processes`) plus this
 * process, where the peers (stock Hive runtime, Apollo) run; each is nearly idle while the other serves. So a
 * peer's figure and the hub gateway's compare what each gateway costs per request, whatever else the box does.
 */
function frontCpuMs(): number {
  const self = process.cpuUsage();
  return (measured.gateway === null ? 0 : cpuMs([measured.gateway])) + (self.user + self.system) / 1000;
}

/** The processes whose CPU time `load` reports: the hub's, and the embedded server's (none with DATABASE_URL). */
const measured = {
  hub: [] as number[],
  /** The hub's gateway process in `--mode processes` (null in single mode: it is the whole hub). */
  gateway: null as number | null,
  postmaster: null as number | null,
  db(): number[] {
    return this.postmaster === null ? [] : [this.postmaster, ...childrenOf(this.postmaster)];
  },
};

/**
 * User plus system CPU time (ms) the processes have used so far, from /proc (0 where unreadable). The
 * first process's ended children count too (cutime, cstime: a server's backends that exited meanwhile).
 */
function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  pids.forEach((pid, i) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
      if (i === 0) ticks += Number(fields[13]) + Number(fields[14]); // cutime, cstime
    } catch {
      // gone, or no /proc
    }
  });
  return ticks * 10; // USER_HZ is 100 on Linux
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return pids;
}

/** One request per flow. */
const single = (token: string, body: string): Step[] => [{ token, body }];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * pgbench's tpcb-like TPS on a scratch database of the same server, with the server's CPU per transaction
 * (embedded server only), or null when pgbench is not installed.
 */
async function pgbenchTps(adminUrl: string, clients: number, seconds: number): Promise<{ tps: number; dbCpuMsPerTx: number | null } | null> {
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
    const before = cpuMs(measured.db());
    const { stdout } = await exec('pgbench', ['-c', String(clients), '-j', '2', '-T', String(seconds), url]);
    const dbCpu = cpuMs(measured.db()) - before;
    const tps = /tps = ([\d.]+)/.exec(stdout);
    const done = Number(/actually processed: (\d+)/.exec(stdout)?.[1] ?? 0);
    return tps ? { tps: Math.round(Number(tps[1])), dbCpuMsPerTx: measured.postmaster && done > 0 ? Number((dbCpu / done).toFixed(3)) : null } : null;
  } finally {
    const db = new Pool({ connectionString: adminUrl, max: 1 });
    db.on('error', () => undefined);
    await db.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await db.end();
  }
}

/**
 * `--profile`: what the server spent on each statement (pg_stat_statements), when it was started with the
 * library preloaded (the embedded server is, under --profile). Counters start from zero here; the report
 * lists the statements by total execution time, with calls and mean time, and the seeding is in it too.
 */
async function statementStats(databaseUrl: string): Promise<{ report(): Promise<string> } | undefined> {
  const db = new Pool({ connectionString: databaseUrl, max: 1 });
  db.on('error', () => undefined);
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT pg_stat_statements_reset()');
  } catch (error) {
    await db.end();
    console.error(`[bench] pg_stat_statements unavailable (${(error as Error).message}): no statement report`);
    return undefined;
  }
  return {
    async report() {
      try {
        const { rows } = await db.query<{ total: string; calls: string; mean: string; rows: string; query: string }>(
          `SELECT round(total_exec_time)::text AS total, calls::text, round(mean_exec_time::numeric, 3)::text AS mean, rows::text,
                  regexp_replace(query, '\\s+', ' ', 'g') AS query
             FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC LIMIT 60`,
        );
        return ['total ms   calls      mean ms   rows       statement', ...rows.map((r) => `${r.total.padStart(8)} ${r.calls.padStart(8)} ${r.mean.padStart(10)} ${r.rows.padStart(9)}  ${r.query.slice(0, 300)}`)].join('\n');
      } finally {
        await db.end();
      }
    },
  };
}

/**
 * Starts the hub as `npm start` does (one process, or with `--mode processes` each subgraph and the
 * gateway its own process), on free ports, waiting until it is ready.
 */
async function startHub(databaseUrl: string, keys: DevKeys, extra: NodeJS.ProcessEnv = {}): Promise<{ gatewayUrl: string; urls: Record<string, string>; pids: number[]; stop(): Promise<void> }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTH_ISSUER: DEV_ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    AUTH_JWKS_FILE: keys.jwksFile,
    // The hub's internal issuer key (donations ↔ ledger), as npm start keeps it.
    SERVICE_SIGNING_KEY_FILE: await ensureServiceKey(join(dirname(keys.jwksFile), 'service-key.json')),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    NODE_ENV: 'production',
    LEDGER_SWEEP_INTERVAL_MS: '0',
    // Rate limits on, as deployed, with budgets no scenario reaches (a real budget would cap the throughput).
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_PARTNER: '1000000000',
    RATE_LIMIT_MEMBER: '1000000000',
    RATE_LIMIT_OTHER: '1000000000',
    RATE_LIMIT_ANONYMOUS: '1000000000',
    ...extra,
  };
  const dist = join(__dirname, '..');
  const nodeArgs = (name: string) => (PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(dist, '..', 'bench', 'results', 'profiles')}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const urls: Record<string, string> = {};
  for (const d of SUBGRAPHS) urls[d.name] = `http://127.0.0.1:${await freePort()}/graphql`;
  const routing = { MEMBERS_URL: urls.members, POINTS_URL: urls.points, PARTNERS_URL: urls.partners, DONATIONS_URL: urls.donations };
  const children: ChildProcess[] = [];
  try {
    const gatewayPort = await freePort();
    if (MODE === 'single') {
      const ports = Object.fromEntries(SUBGRAPHS.map((d) => [`${d.name.toUpperCase()}_PORT`, new URL(urls[d.name]).port]));
      const hub = spawnService('hub', join(dist, 'gateway', 'src', 'index.js'), { ...env, ...routing, ...ports, HUB_MODE: 'single', PORT: String(gatewayPort) }, nodeArgs('hub'));
      children.push(hub);
      await waitReady(`http://127.0.0.1:${gatewayPort}/readyz`, hub);
      return {
        gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
        urls,
        pids: [hub.pid as number],
        stop: () => stopChild(hub),
      };
    }
    for (const d of SUBGRAPHS) {
      children.push(spawnService(d.name, join(dist, 'subgraphs', d.name, 'src', 'index.js'), { ...env, ...routing, PORT: new URL(urls[d.name]).port }, nodeArgs(d.name)));
    }
    await Promise.all(SUBGRAPHS.map((d, i) => waitReady(new URL('/readyz', urls[d.name]).toString(), children[i])));
    const gateway = spawnService('gateway', join(dist, 'gateway', 'src', 'index.js'), { ...env, ...routing, PORT: String(gatewayPort) }, nodeArgs('gateway'));
    children.push(gateway);
    await waitReady(`http://127.0.0.1:${gatewayPort}/readyz`, gateway);
    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
      urls,
      pids: children.map((c) => c.pid as number),
      async stop() {
        for (const child of [...children].reverse()) await stopChild(child);
      },
    };
  } catch (error) {
    for (const child of children) await stopChild(child);
    throw error;
  }
}

const summary = (runs: Figures[]): Omit<Figures, 'requests'> => ({
  throughput: median(runs.map((r) => r.throughput)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  errors: runs.reduce((s, r) => s + r.errors, 0),
  ...(runs.every((r) => r.hubCpuMsPerFlow !== undefined) ? { hubCpuMsPerFlow: median(runs.map((r) => r.hubCpuMsPerFlow as number)) } : {}),
  ...(runs.every((r) => r.dbCpuMsPerFlow !== undefined) ? { dbCpuMsPerFlow: median(runs.map((r) => r.dbCpuMsPerFlow as number)) } : {}),
  ...(runs.every((r) => r.frontCpuMsPerFlow !== undefined) ? { frontCpuMsPerFlow: median(runs.map((r) => r.frontCpuMsPerFlow as number)) } : {}),
});
const firstError = (runs: Figures[]): string => {
  const failed = runs.find((r) => r.firstError);
  return failed ? ` (errors, first: ${failed.firstError})` : '';
};
const ratio = (a: number | undefined, b: number | null | undefined): number | null => (a !== undefined && b ? Number((a / b).toFixed(3)) : null);

const UNIFIED = JSON.stringify({ query: '{ me { displayName cardNumber points { balance available } donations { id points } } }' });
const BALANCE = JSON.stringify({ query: '{ me { points { balance available } } }' });
/**
 * An earn as a till sends it in a running programme: a 3-line basket at a partner with an active campaign,
 * a stamp card on coffee and a double-points offer the member activated (all set up below), so that every
 * earn runs every earn rule: base, campaign, category, offer and stamps.
 */
const BASKET = [
  { sku: 'COFFEE-1', category: 'coffee', quantity: 1, amount: { amount: '3.50', currency: 'NOK' } },
  { sku: 'PROD-7', category: 'produce', quantity: 2, amount: { amount: '4.00', currency: 'NOK' } },
  { sku: 'BAKE-3', category: 'bakery', quantity: 1, amount: { amount: '2.50', currency: 'NOK' } },
];
const earnBody = (memberId: string) =>
  JSON.stringify({
    query: 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } awards { kind points } } }',
    variables: { input: { memberId, purchase: { amount: '10.00', currency: 'NOK' }, lines: BASKET, reference: 'bench-{{SEQ}}', idempotencyKey: 'bench-{{SEQ}}' } },
  });

runMain(async () => {
  const work = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  chmodSync(work, 0o755);
  let embedded: EmbeddedDatabase | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(
      join(work, 'pg'),
      (line) => {
        if (process.env.BENCH_PG_LOG) console.error(`[pg] ${line}`);
      },
      // --profile: the server counts every statement's calls and time (pg_stat_statements), reported at the end.
      PROFILE ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : {},
    );
    adminUrl = embedded.adminUrl;
  }
  const database = `hub_bench_${Date.now()}`;
  await ensureDatabase(adminUrl, database);
  const databaseUrl = withDatabase(adminUrl, database);
  const statements = PROFILE ? await statementStats(databaseUrl) : undefined;
  const keys = await ensureDevKeys(join(work, 'auth'));
  const loadAtStart = loadavg().map((n) => Number(n.toFixed(2)));
  // --tracing: an OTLP/HTTP sink that accepts every export, so that the hub pays for its spans as it would in production.
  const sink = TRACING ? createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'))) : undefined;
  if (sink) await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const traceEnv: NodeJS.ProcessEnv = sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as AddressInfo).port}` } : {};
  let hub = await startHub(databaseUrl, keys, traceEnv);
  measureHub(hub);
  const postmasterPid = join(work, 'pg', 'pg', 'postmaster.pid');
  if (embedded && existsSync(postmasterPid)) measured.postmaster = Number(readFileSync(postmasterPid, 'utf8').split('\n')[0]);
  const db = new Pool({ connectionString: databaseUrl, max: 2 });
  db.on('error', () => undefined);
  const log = (line: string) => console.error(`[bench] ${line}`);
  try {
    const admin = await signDevToken(keys, { kind: 'admin' });
    const partners: { id: string; token: string }[] = [];
    for (let i = 0; i < PARTNERS; i++) {
      const data = await mustQuery<{ createPartner: { partner: { id: string } } }>(
        hub.gatewayUrl,
        'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
        { input: { name: `Bench partner ${i}`, currency: 'NOK' } },
        admin,
      );
      const id = data.createPartner.partner.id;
      partners.push({ id, token: await signDevToken(keys, { kind: 'partner', id }) });
    }
    const charities: { id: string; token: string }[] = [];
    for (let i = 0; i < CHARITIES; i++) {
      const data = await mustQuery<{ createCharity: { charity: { id: string } } }>(
        hub.gatewayUrl,
        'mutation($input: CreateCharityInput!) { createCharity(input: $input) { charity { id } } }',
        { input: { name: `Bench charity ${i}` } },
        admin,
      );
      const id = data.createCharity.charity.id;
      charities.push({ id, token: await signDevToken(keys, { kind: 'charity', id }) });
    }
    const partnerIds = partners.map((p) => p.id);
    // Each partner runs a programme: a campaign now, a stamp card on coffee, a double-points offer.
    const offers: string[] = [];
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const endsAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    for (const p of partners) {
      await mustQuery(
        hub.gatewayUrl,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }',
        { input: { name: 'Bench week', multiplier: '1.5', startsAt, endsAt } },
        p.token,
      );
      await mustQuery(
        hub.gatewayUrl,
        'mutation($input: CreateStampCardInput!) { createStampCard(input: $input) { card { id } } }',
        { input: { name: 'Coffee card', stampsRequired: 5, category: 'coffee', rewardPoints: 10 } },
        p.token,
      );
      const offer = await mustQuery<{ createOffer: { offer: { id: string } } }>(
        hub.gatewayUrl,
        'mutation($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }',
        { input: { title: 'Double points', kind: 'MULTIPLIER', multiplier: '2', usesPerMember: 100 } },
        p.token,
      );
      offers.push(offer.createOffer.offer.id);
    }
    /** Members activate the offers of the partners they will earn at (usable 100 times each). */
    const activate = async (memberToken: string, partnerIndexes: number[]) => {
      for (const i of new Set(partnerIndexes)) {
        await mustQuery(hub.gatewayUrl, 'mutation($input: ActivateOfferInput!) { activateOffer(input: $input) { activation { id } } }', { input: { offerId: offers[i] } }, memberToken);
      }
    };
    // A partner's issuing account appears with its first earn; the bulk seed needs it before that.
    await db.query(`INSERT INTO points.accounts (kind, owner_id, maintained) SELECT 'PARTNER_ISSUED', id, false FROM unnest($1::uuid[]) AS id ON CONFLICT DO NOTHING`, [partnerIds]);

    const earnsPerMember = Math.max(1, Math.round((POSTINGS - 2 * HISTORY) / 2 / MEMBERS));
    const members: SeededMember[] = [];
    const seeding = { postings: 0, seconds: 0 };
    const grow = async (target: number) => {
      const started = performance.now();
      // Past the main data set (the growth curve's 1,000,000 members), one earn each: the curve measures
      // membership size, and 8 postings per member would make that stage seed for half an hour.
      seeding.postings += await growMembers(db, members, target, partnerIds, target > MEMBERS ? 1 : earnsPerMember);
      seeding.seconds += (performance.now() - started) / 1000;
      await settleSeededOutbox(db);
      await db.query('ANALYZE');
      log(`${members.length} members, ${seeding.postings} postings written in ${seeding.seconds.toFixed(1)} s`);
    };
    // Virtual clients: members spread over the whole membership (not the first few, which would sit in cache).
    const sample = async (n: number) => {
      const step = Math.max(1, Math.floor(members.length / n));
      const picked = Array.from({ length: Math.min(n, members.length) }, (_, i) => members[(i * step + Math.floor(Math.random() * step)) % members.length]);
      return Promise.all(picked.map(async (m) => ({ ...m, token: await signDevToken(keys, { kind: 'member', id: m.id }) })));
    };
    const earnFlows = (clients: { id: string }[], partnerOf: (i: number) => { token: string }) => clients.map((m, i) => single(partnerOf(i).token, earnBody(m.id)));

    const scenarios: Record<string, Omit<Figures, 'requests'>> = {};
    const skipped: Record<string, string> = {};
    const growth: { members: number; postings: number; unifiedBalance: Omit<Figures, 'requests'>; earn: Omit<Figures, 'requests'> }[] = [];
    let pgbench: number | null = null;
    let pgbenchDbCpuMsPerTx: number | null = null;
    let largeMemberPostings = 0;
    let historySeconds = 0;

    const run = async (name: string, url: string, connections: number, flows: Step[][]) => {
      if (!wanted(name)) return;
      await load(url, connections, flows, 1_500); // warm-up: connections, plans, caches
      const runs: Figures[] = [];
      for (let r = 0; r < ROUNDS; r++) runs.push(await load(url, connections, flows));
      scenarios[name] = summary(runs);
      log(`${name}: ${scenarios[name].throughput}/s, hub CPU ${scenarios[name].hubCpuMsPerFlow ?? '-'} ms/flow${firstError(runs)}`);
    };
    /** Scenarios measured in alternating rounds, so that drift on a noisy box hits them alike. */
    const pair = async (names: string[], targets: string[], connections: number, flows: Step[][][]) => {
      if (!names.some(wanted)) return;
      for (let i = 0; i < names.length; i++) await load(targets[i], connections, flows[i], 1_500);
      const runs: Figures[][] = names.map(() => []);
      for (let r = 0; r < ROUNDS; r++) {
        for (let i = 0; i < names.length; i++) runs[i].push(await load(targets[i], connections, flows[i]));
      }
      names.forEach((name, i) => (scenarios[name] = summary(runs[i])));
      const cpu = (n: string) =>
        `hub CPU ${scenarios[n].hubCpuMsPerFlow ?? '-'} ms/flow, db CPU ${scenarios[n].dbCpuMsPerFlow ?? '-'} ms/flow` +
        (scenarios[n].frontCpuMsPerFlow !== undefined ? `, gateway CPU ${scenarios[n].frontCpuMsPerFlow} ms/flow` : '');
      log(names.map((name, i) => `${name}: ${scenarios[name].throughput}/s (${cpu(name)})${firstError(runs[i])}`).join(', '));
    };

    const mainScenarios = async () => {
      // The small member has 10 postings on its account, the large one HISTORY.
      const [large, small] = members;
      const started = performance.now();
      await growHistory(db, small.id, partners[0].id, Math.max(0, 10 - earnsPerMember));
      await growHistory(db, large.id, partners[0].id, Math.max(0, HISTORY - earnsPerMember));
      historySeconds = (performance.now() - started) / 1000;
      await settleSeededOutbox(db);
      await db.query('ANALYZE');
      const counted = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM points.postings p JOIN points.accounts a ON a.id = p.account_id WHERE a.kind = 'MEMBER' AND a.owner_id = $1`,
        [large.id],
      );
      largeMemberPostings = Number(counted.rows[0].n);
      const [smallToken, largeToken] = await Promise.all([small, large].map((m) => signDevToken(keys, { kind: 'member', id: m.id })));
      await pair(['balanceSmallHistory', 'balanceLargeHistory'], [hub.gatewayUrl, hub.gatewayUrl], 10, [[single(smallToken, BALANCE)], [single(largeToken, BALANCE)]]);
      // Earns for one member each (they serialise on the member's account, alike for both): the large
      // member's 100,000 earns must not make its earn slower.
      await activate(smallToken, [0]);
      await activate(largeToken, [0]);
      await pair(['earnSmallHistory', 'earnLargeHistory'], [hub.gatewayUrl, hub.gatewayUrl], 4, [[single(partners[0].token, earnBody(small.id))], [single(partners[0].token, earnBody(large.id))]]);

      const clients = await sample(200);
      if (wanted('earn')) {
        for (let i = 0; i < clients.length; i += 10) await Promise.all(clients.slice(i, i + 10).map((m, j) => activate(m.token, [0, (i + j) % PARTNERS])));
      }
      const { sdl } = loadSupergraph(defaultSupergraphPath(), hub.urls);
      const peer = await startApolloPeer(sdl, createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwksFile: keys.jwksFile }));
      // The stock Hive gateway runtime, in this process like the Apollo peer (the load comes from another).
      const hive = await startHivePeer(sdl, 'stock');
      const hiveSame = await startHivePeer(sdl, 'same-settings');
      try {
        const unified = clients.map((m) => single(m.token, UNIFIED));
        await pair(
          ['unifiedBalanceGateway', 'unifiedBalanceApolloPeer', 'unifiedBalanceHivePeer', 'unifiedBalanceHiveSameSettings'],
          [hub.gatewayUrl, peer.url, hive.url, hiveSame.url],
          10,
          [unified, unified, unified, unified],
        );
        const lookup = clients.map((m, i) =>
          single(partners[i % PARTNERS].token, JSON.stringify({ query: 'query($c: String!) { memberByCard(cardNumber: $c) { id displayName cardNumber } }', variables: { c: m.cardNumber } })),
        );
        await pair(['cardLookupGateway', 'cardLookupDirect', 'cardLookupHivePeer', 'cardLookupHiveSameSettings'], [hub.gatewayUrl, hub.urls.members, hive.url, hiveSame.url], 10, [lookup, lookup, lookup, lookup]);
      } finally {
        await peer.stop();
        await hive.stop();
        await hiveSame.stop();
      }

      await pair(['earnOnePartner', 'earnTwentyPartners'], [hub.gatewayUrl, hub.gatewayUrl], CLIENTS, [earnFlows(clients, () => partners[0]), earnFlows(clients, (i) => partners[i % PARTNERS])]);
      if (wanted('earn')) {
        const measuredPgbench = await pgbenchTps(adminUrl, CLIENTS, Math.round(DURATION_MS / 1000));
        pgbench = measuredPgbench?.tps ?? null;
        pgbenchDbCpuMsPerTx = measuredPgbench?.dbCpuMsPerTx ?? null;
      }

      // The till's spend: the member shows a one-time code, the till holds one point and captures it.
      const redeem = clients.map((m, i): Step[] => [
        { token: m.token, body: JSON.stringify({ query: 'mutation { createRedemptionCode(input: { maxPoints: 5 }) { code } }' }), save: { code: 'createRedemptionCode.code' } },
        {
          token: partners[i % PARTNERS].token,
          body: JSON.stringify({
            query: 'mutation($input: AuthorizeRedemptionInput!) { authorizeRedemption(input: $input) { hold { id } } }',
            variables: { input: { memberId: m.id, points: 1, redemptionCode: '{{code}}', reference: 'bench-{{SEQ}}', idempotencyKey: 'bench-{{SEQ}}' } },
          }),
          save: { hold: 'authorizeRedemption.hold.id' },
        },
        {
          token: partners[i % PARTNERS].token,
          body: JSON.stringify({
            query: 'mutation($input: CaptureRedemptionInput!) { captureRedemption(input: $input) { transaction { id points } } }',
            variables: { input: { holdId: '{{hold}}', idempotencyKey: 'bench-{{SEQ}}' } },
          }),
        },
      ]);
      await run('redeemAuthorizeCapture', hub.gatewayUrl, 10, redeem);

      const historyPage = JSON.stringify({ query: '{ viewerPartner { transactions(first: 50) { nodes { id kind points reference createdAt } pageInfo { endCursor hasNextPage } } } }' });
      await run('partnerHistoryPage', hub.gatewayUrl, 10, partners.map((p) => single(p.token, historyPage)));

      // A month's reports: the settlement statement for the last full calendar month (a twelfth of the seeded
      // earns), the charity report for the current one (the donations made just below).
      const now = new Date();
      const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString();
      const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
      const supergraph = readFileSync(defaultSupergraphPath(), 'utf8');
      if (!wanted('charityReportMonth')) {
        // --only without it: no donations either (they are its data, and cost a minute on a full run).
      } else if (/\bdonationReport\(/.test(supergraph)) {
        // Something to report: 200 members each give 10 points through the API (the exactly-once path),
        // so the charity report covers the current month, where these donations are.
        const donate = 'mutation($i: DonatePointsInput!) { donatePoints(input: $i) { donation { status } } }';
        for (let i = 0; i < clients.length; i += 10) {
          await Promise.all(
            clients.slice(i, i + 10).map((m, j) => mustQuery(hub.gatewayUrl, donate, { i: { charityId: charities[(i + j) % CHARITIES].id, points: 10, idempotencyKey: randomUUID() } }, m.token)),
          );
        }
        const monthFrom = to;
        const monthTo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
        const report = (id: string) => JSON.stringify({ query: 'query($f: String!, $t: String!, $c: ID) { donationReport(from: $f, to: $t, charityId: $c) { totalPoints byCharity { points donations } } }', variables: { f: monthFrom, t: monthTo, c: id } });
        await run('charityReportMonth', hub.gatewayUrl, 10, charities.map((c) => single(c.token, report(c.id))));
      } else skipped.charityReportMonth = 'donationReport is not in the supergraph yet (issue 7)';
      if (/\bsettlementStatement\(/.test(supergraph)) {
        const statement = (id: string) => JSON.stringify({ query: 'query($p: ID!, $f: String!, $t: String!) { settlementStatement(partnerId: $p, from: $f, to: $t) { pointsIssued pointsHonoured net { amount currency } } }', variables: { p: id, f: from, t: to } });
        await run('settlementStatementMonth', hub.gatewayUrl, 10, partners.map((p) => single(p.token, statement(p.id))));
      } else skipped.settlementStatementMonth = 'settlementStatement is not in the supergraph yet (issue 6)';
    };

    const growthPoint = async () => {
      const clients = await sample(200);
      for (let i = 0; i < clients.length; i += 10) await Promise.all(clients.slice(i, i + 10).map((m, j) => activate(m.token, [(i + j) % PARTNERS])));
      // The bulk seed just wrote up to millions of rows: flush them now (a checkpoint), so that the
      // measurement sees the steady state rather than the server writing the seed out underneath it.
      await db.query('CHECKPOINT').catch((error: Error) => log(`CHECKPOINT refused (${error.message}): figures include the flush`));
      // Warm-up long enough for a hub that has served nothing yet (the first point comes straight after
      // start): with 1.5 s the 10,000-member point once measured the JIT's warm-up, at a third of the rate.
      await load(hub.gatewayUrl, 10, clients.map((m) => single(m.token, UNIFIED)), 4_000);
      await load(hub.gatewayUrl, CLIENTS, earnFlows(clients, (i) => partners[i % PARTNERS]), 4_000);
      const unified = await load(hub.gatewayUrl, 10, clients.map((m) => single(m.token, UNIFIED)));
      const earn = await load(hub.gatewayUrl, CLIENTS, earnFlows(clients, (i) => partners[i % PARTNERS]));
      growth.push({ members: members.length, postings: seeding.postings, unifiedBalance: summary([unified]), earn: summary([earn]) });
      log(`growth at ${members.length} members: unified ${unified.throughput}/s, earn ${earn.throughput}/s`);
    };

    /**
     * Segments over SEGMENT_MEMBERS members: each count (Segment.size, one request through the gateway) five
     * times, the median; one member's check (Segment.includesMember) 200 times one after another, p50 and p99;
     * and Member.offers under load (every request decides the member's tier and a personal offer's segment).
     */
    const segments: {
      members: number;
      seedSeconds: number;
      counts: Record<string, { size: number; ms: number }>;
      includesMember: { p50: number; p99: number; calls: number } | null;
    } = { members: 0, seedSeconds: 0, counts: {}, includesMember: null };
    const segmentScenarios = async () => {
      if (members.length < SEGMENT_MEMBERS) await grow(SEGMENT_MEMBERS);
      const started = performance.now();
      await seedSegmentFacts(db);
      segments.seedSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
      segments.members = Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM points.member_registrations')).rows[0].n);
      log(`segments: ${segments.members} registered members (facts written in ${segments.seedSeconds} s)`);
      await db.query('CHECKPOINT').catch(() => undefined);
      const create = async (name: string, token: string, rule: Record<string, unknown>) =>
        (
          await mustQuery<{ createSegment: { segment: { id: string } } }>(
            hub.gatewayUrl,
            'mutation($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id } } }',
            { i: { name, rule, idempotencyKey: randomUUID() } },
            token,
          )
        ).createSegment.segment.id;
      const rules: [string, string, Record<string, unknown>][] = [
        ['goldInOslo', admin, { tiers: ['Gold'], enrolledCities: ['Oslo'] }],
        ['gold', admin, { tiers: ['Gold'] }],
        ['osloMarchConsenting', admin, { enrolledCities: ['Oslo'], birthMonths: [3], marketingConsent: true }],
        ['partnerSpend365', partners[0].token, { activity: [{ periodDays: 365, minSpend: { amount: '50', currency: 'NOK' } }] }],
        ['partnerLapsed90', partners[0].token, { lastActivity: { withinDays: 365, notWithinDays: 90 } }],
        ['coalitionActive30', admin, { lastActivity: { withinDays: 30 } }],
        ['silverSpendAnywhere180', admin, { tiers: ['Silver'], activity: [{ periodDays: 180, minVisits: 1 }] }],
      ];
      const ids: Record<string, string> = {};
      for (const [name, token, rule] of rules) ids[name] = await create(name, token, rule);
      for (const [name, token] of rules) {
        const times: number[] = [];
        let size = 0;
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          size = (await mustQuery<{ segment: { size: number } }>(hub.gatewayUrl, 'query($s: ID!) { segment(id: $s) { size } }', { s: ids[name] }, token)).segment.size;
          times.push(performance.now() - t0);
        }
        segments.counts[name] = { size, ms: Math.round(median(times)) };
        log(`segment ${name}: ${size} members, counted in ${segments.counts[name].ms} ms (median of 5)`);
      }
      const picked = await sample(200);
      const checks: number[] = [];
      for (const m of picked) {
        const t0 = performance.now();
        await mustQuery(hub.gatewayUrl, `query($s: ID!) { segment(id: $s) { includesMember(memberId: "${m.id}") } }`, { s: ids.goldInOslo }, admin);
        checks.push(performance.now() - t0);
      }
      checks.sort((a, b) => a - b);
      segments.includesMember = { p50: Number(checks[Math.floor(checks.length * 0.5)].toFixed(1)), p99: Number(checks[Math.floor(checks.length * 0.99)].toFixed(1)), calls: checks.length };
      log(`segment includesMember: p50 ${segments.includesMember.p50} ms, p99 ${segments.includesMember.p99} ms`);
      // A personal offer (Gold in Oslo) and one for everyone in the catalogue; each member's offers decide both.
      const offer = (input: Record<string, unknown>) =>
        mustQuery(hub.gatewayUrl, 'mutation($i: CreateOfferInput!) { createOffer(input: $i) { offer { id } } }', { i: { partnerId: partners[0].id, ...input } }, admin);
      await offer({ title: 'Gold in Oslo: double points', kind: 'MULTIPLIER', multiplier: '2', segmentId: ids.goldInOslo });
      await offer({ title: 'Everyone: 25 extra', kind: 'BONUS_POINTS', points: 25 });
      await run('segmentsMemberOffers', hub.gatewayUrl, 10, picked.map((m) => single(m.token, JSON.stringify({ query: '{ me { offers { offerId personal activated } } }' }))));
    };

    const stages = [...new Set([...GROWTH, MEMBERS])].sort((a, b) => a - b);
    if (!SEGMENTS_ONLY) {
      for (const size of stages) {
        await grow(size);
        if (size === MEMBERS) await mainScenarios();
        if (GROWTH.includes(size)) await growthPoint();
      }
    }
    if (wanted('segments')) await segmentScenarios();

    // The event pipeline, last and alone. Its own start of the hub with NODE_ENV=development, the one
    // difference: in production webhooks go only to public https addresses, and the receiver is on loopback.
    let events: EventFigures | null = null;
    if (wanted('events')) {
      await hub.stop();
      hub = await startHub(databaseUrl, keys, { ...traceEnv, NODE_ENV: 'development' });
      measureHub(hub);
      events = await measureEventPipeline({ db, gatewayUrl: hub.gatewayUrl, partners, memberIds: members.map((m) => m.id), rate: EVENTS_RATE, seconds: EVENTS_SECONDS, warmupSeconds: EVENTS_WARMUP, log });
      log(
        `events: relay p50 ${events.relay.p50Ms} ms p99 ${events.relay.p99Ms} ms; webhooks p50 ${events.webhooks.p50Ms} ms p99 ${events.webhooks.p99Ms} ms; ` +
          `${events.webhooks.requests} requests for ${events.produced} events`,
      );
    }

    const s: Partial<typeof scenarios> = scenarios;
    const result = {
      at: new Date().toISOString(),
      quick,
      mode: MODE,
      tracing: TRACING,
      // The box is shared: its 1, 5 and 15-minute load averages (2 cores) when the run began and ended.
      loadAverage: { start: loadAtStart, end: loadavg().map((n) => Number(n.toFixed(2))) },
      rounds: ROUNDS,
      durationMs: DURATION_MS,
      clients: CLIENTS,
      dataSet: { members: MEMBERS, partners: PARTNERS, charities: CHARITIES, earnsPerMember, largeMemberPostings },
      seed: { postings: seeding.postings, seconds: Number(seeding.seconds.toFixed(1)), historySeconds: Number(historySeconds.toFixed(1)) },
      scenarios,
      skipped,
      baseline: { pgbenchTps: pgbench as number | null, pgbenchDbCpuMsPerTx, clients: CLIENTS },
      ratios: {
        gatewayVsApollo: ratio(s.unifiedBalanceGateway?.throughput, s.unifiedBalanceApolloPeer?.throughput),
        gatewayVsHive: ratio(s.unifiedBalanceGateway?.throughput, s.unifiedBalanceHivePeer?.throughput),
        gatewayVsHiveLookup: ratio(s.cardLookupGateway?.throughput, s.cardLookupHivePeer?.throughput),
        gatewayVsHiveSameSettings: ratio(s.unifiedBalanceGateway?.throughput, s.unifiedBalanceHiveSameSettings?.throughput),
        gatewayVsHiveSameSettingsLookup: ratio(s.cardLookupGateway?.throughput, s.cardLookupHiveSameSettings?.throughput),
        // --mode processes: what a request costs the hub's gateway process over what it costs the same-settings peer (CPU ms per request; lower is better).
        gatewayCpuOverHiveSameSettings: ratio(s.unifiedBalanceGateway?.frontCpuMsPerFlow, s.unifiedBalanceHiveSameSettings?.frontCpuMsPerFlow),
        gatewayCpuOverHiveSameSettingsLookup: ratio(s.cardLookupGateway?.frontCpuMsPerFlow, s.cardLookupHiveSameSettings?.frontCpuMsPerFlow),
        gatewayVsDirect: ratio(s.cardLookupGateway?.throughput, s.cardLookupDirect?.throughput),
        earnVsPgbench: ratio(s.earnTwentyPartners?.throughput, pgbench),
        // The best earnVsPgbench the earn's database work alone allows: the server's CPU per pgbench transaction over
        // its CPU per earn (relays and triggers included), as if the hub itself cost nothing.
        earnDbCeilingVsPgbench: ratio(pgbenchDbCpuMsPerTx ?? undefined, s.earnTwentyPartners?.dbCpuMsPerFlow),
        hotPartner: ratio(s.earnOnePartner?.throughput, s.earnTwentyPartners?.throughput),
        historyLength: ratio(s.balanceLargeHistory?.throughput, s.balanceSmallHistory?.throughput),
        earnHistoryLength: ratio(s.earnLargeHistory?.throughput, s.earnSmallHistory?.throughput),
      },
      events,
      segments: wanted('segments') ? segments : null,
      growth,
      growthSpread:
        growth.length > 1
          ? {
              unifiedBalance: ratio(Math.min(...growth.map((g) => g.unifiedBalance.throughput)), Math.max(...growth.map((g) => g.unifiedBalance.throughput))),
              earn: ratio(Math.min(...growth.map((g) => g.earn.throughput)), Math.max(...growth.map((g) => g.earn.throughput))),
            }
          : null,
    };

    console.log(`\nBenchmark (${MODE === 'single' ? 'single process' : 'one process per part'}, ${quick ? 'quick' : 'full'}: ${ROUNDS} round(s) of ${DURATION_MS / 1000} s, medians; flows/s, latencies per request)`);
    console.log(`load average (1, 5, 15 min) at start ${result.loadAverage.start.join(' ')}, at end ${result.loadAverage.end.join(' ')}`);
    console.log(`data: ${MEMBERS} members, ${PARTNERS} partners, ${CHARITIES} charities; ${result.seed.postings} postings bulk-written in ${result.seed.seconds} s; large member ${largeMemberPostings} postings\n`);
    const front = MODE === 'processes';
    console.log(`scenario                     flows/s    p50 ms   p99 ms   errors   hub CPU ms/flow   db CPU ms/flow${front ? '   gateway CPU ms/flow' : ''}`);
    for (const [name, f] of Object.entries(scenarios)) {
      console.log(
        `${name.padEnd(27)} ${String(f.throughput).padStart(8)} ${String(f.p50).padStart(9)} ${String(f.p99).padStart(8)} ${String(f.errors).padStart(8)} ${String(f.hubCpuMsPerFlow ?? '-').padStart(17)} ${String(f.dbCpuMsPerFlow ?? '-').padStart(16)}` +
          (front ? String(f.frontCpuMsPerFlow ?? '-').padStart(22) : ''),
      );
    }
    for (const [name, why] of Object.entries(skipped)) console.log(`${name.padEnd(27)} skipped: ${why}`);
    console.log(
      `pgbench (tpcb-like, ${CLIENTS} clients): ${pgbench === null ? (wanted('earn') ? 'not installed' : 'not run (--only)') : `${pgbench} tps`}` +
        (pgbenchDbCpuMsPerTx !== null ? `, db CPU ${pgbenchDbCpuMsPerTx} ms/transaction` : ''),
    );
    console.log('\nratios (same run):');
    for (const [name, value] of Object.entries(result.ratios)) console.log(`  ${name.padEnd(32)} ${value ?? 'n/a'}`);
    if (events) {
      console.log(`\nevents (${events.rate}/s for ${events.seconds} s after ${events.warmupSeconds} s of warm-up; ${events.produced} written, ${events.producedPerSecond}/s; drained ${events.drainSeconds} s after):`);
      for (const [name, f] of [['pledge relay', events.relay], ['webhooks', events.webhooks]] as const) {
        console.log(`  ${name.padEnd(13)} ${f.events} events, ${f.throughput}/s, lag p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms; p99 per 10 s: ${f.p99BySliceMs.join(', ')}`);
      }
      console.log(`  receiver: ${events.webhooks.requests} requests, ${events.webhooks.distinctWebhookIds} webhook-ids, p99 ${events.webhooks.receiverP99Ms} ms; load average ${events.loadAverage.start.join(', ')} → ${events.loadAverage.end.join(', ')}`);
    }
    console.log(`load average (1, 5, 15 min; 2 cores): ${result.loadAverage.start.join(', ')} at the start, ${result.loadAverage.end.join(', ')} at the end`);
    if (growth.length) {
      console.log('\ngrowth (members: unified balance/s, earns/s):');
      for (const g of growth) console.log(`  ${String(g.members).padStart(9)}: ${g.unifiedBalance.throughput}, ${g.earn.throughput}`);
      console.log(`  slowest over fastest: unified ${result.growthSpread?.unifiedBalance}, earn ${result.growthSpread?.earn}`);
    }
    if (wanted('segments')) {
      console.log(`\nsegments over ${segments.members} members (count: Segment.size through the gateway, median of 5):`);
      for (const [name, c] of Object.entries(segments.counts)) console.log(`  ${name.padEnd(24)} ${String(c.size).padStart(9)} members ${String(c.ms).padStart(7)} ms`);
      if (segments.includesMember) console.log(`  one member (includesMember, ${segments.includesMember.calls} calls): p50 ${segments.includesMember.p50} ms, p99 ${segments.includesMember.p99} ms`);
    }
    const dir = join(__dirname, '..', '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(dir, `${result.at.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(result, null, 2)}\n`);
    if (statements) {
      const report = await statements.report();
      mkdirSync(join(dir, 'profiles'), { recursive: true });
      writeFileSync(join(dir, 'profiles', 'statements.txt'), report);
      console.log(`\nstatements by total server time (all of the run; bench/results/profiles/statements.txt):\n${report.split('\n').slice(0, 24).join('\n')}`);
    }
  } finally {
    await db.end();
    await hub.stop();
    sink?.close();
    if (embedded) await embedded.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
