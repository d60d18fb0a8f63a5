import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphql, mustQuery } from '../../scripts/lib/graphql-client';
import { newReceiptId } from '../../subgraphs/donations/src/services/receipts.service';
import { buildDist } from '../support/build';
import { count, PARTNER_SCOPES, startHub, type TestHub } from '../support/hub';
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/keys';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';
import { freePort } from '../support/ports';
import { childrenOf, describeProcess, listenerPid } from '../support/processes';
import { until } from '../support/wait';

/**
 * Scale-out as deployed: two hubs started as `npm start` starts one with HUB_MODE=processes (the compiled
 * scripts/start.js), each a gateway and the four subgraphs as five OS processes of their own, ten in all,
 * sharing only the PostgreSQL database (and Redis, when REDIS_URL is set). Requests alternate between the two
 * gateways. Every background loop (ledger sweeper, pledge relay, donation reconciler, webhook delivery) runs in
 * both points and both donations processes at short intervals, so each piece of work is raced for, and each
 * must be done exactly once.
 */
const ROOT = join(__dirname, '..', '..');
const REDIS_URL = process.env.REDIS_URL;

const PARTS = ['gateway', 'members', 'points', 'partners', 'donations'] as const;

interface Stack {
  name: string;
  gateway: string;
  /** The port each of its five processes listens on. */
  ports: Record<(typeof PARTS)[number], number>;
  child: ChildProcess;
  output: () => string;
}

let hub: TestHub;
let dataDir: string;
const stacks: Stack[] = [];
let receiver: { url: string; requests: { id: string; headers: IncomingHttpHeaders; body: string }[]; close(): Promise<void> };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One hub as `npm start` runs it with HUB_MODE=processes, on ports no other test holds (test/support/ports.ts). */
async function startStack(name: string, env: NodeJS.ProcessEnv): Promise<Stack> {
  const [gateway, members, points, partners, donations] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'start.js')], {
    env: {
      ...env,
      HUB_MODE: 'processes',
      PORT: String(gateway),
      MEMBERS_PORT: String(members),
      POINTS_PORT: String(points),
      PARTNERS_PORT: String(partners),
      DONATIONS_PORT: String(donations),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const stack: Stack = { name, gateway: `http://127.0.0.1:${gateway}/graphql`, ports: { gateway, members, points, partners, donations }, child, output: () => output };
  stacks.push(stack);
  for (const deadline = Date.now() + 240_000; !output.includes('Coalition Hub is up'); await sleep(100)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`hub ${name} did not start:\n${output}`);
  }
  return stack;
}

/**
 * What is wrong with a stack, if anything: `npm start` exited, one of its five processes is gone, or its
 * port is answered by another process (another test's server on a port that was handed out twice), or
 * the gateway is not ready. A request to a stack in that state fails in ways that name none of this.
 */
async function stackProblems(stack: Stack): Promise<string[]> {
  const { child } = stack;
  if (child.exitCode !== null || child.signalCode !== null) return [`npm start (pid ${child.pid}) exited (${child.exitCode ?? child.signalCode})`];
  const processes = childrenOf(child.pid!);
  const problems: string[] = [];
  for (const part of PARTS) {
    const entry = part === 'gateway' ? 'gateway' : `subgraphs/${part}`;
    const own = processes.find((p) => p.args.includes(`dist/${entry}/src/index.js`));
    const port = stack.ports[part];
    const listener = listenerPid(port, own ? [own.pid] : []);
    if (!own) problems.push(`its ${part} process is gone (port ${port} is held by ${describeProcess(listener)})`);
    else if (listener !== own.pid) problems.push(`port ${port} is held by ${describeProcess(listener)}, not by its ${part} process (pid ${own.pid})`);
  }
  if (problems.length === 0) {
    const ready = await fetch(`http://127.0.0.1:${stack.ports.gateway}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.status,
      (error: unknown) => String(error),
    );
    if (ready !== 200) problems.push(`its gateway's /readyz answers ${ready}`);
  }
  return problems;
}

/** Fails, naming what died or who took its port (with the stack's last output), unless both stacks are whole. */
async function expectStacksAlive(when: string): Promise<void> {
  const report: string[] = [];
  for (const stack of stacks) {
    const problems = await stackProblems(stack);
    if (problems.length) report.push(`stack ${stack.name}: ${problems.join('; ')}\n  its last output:\n${stack.output().split('\n').slice(-30).join('\n')}`);
  }
  if (report.length) throw new Error(`${when}, a hub under test is not whole:\n${report.join('\n')}`);
}

async function stopStack(stack: Stack): Promise<void> {
  if (stack.child.exitCode !== null || stack.child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => stack.child.kill('SIGKILL'), 15_000);
    stack.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    stack.child.kill('SIGTERM');
  });
}

/** A webhook receiver that accepts everything and keeps every request. */
async function startReceiver(): Promise<typeof receiver> {
  const requests: (typeof receiver)['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ id: String(req.headers['webhook-id']), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The test hub's helpers pointed at one gateway process. */
function via(url: string): TestHub {
  return { ...hub, gatewayUrl: url, query: (q, v = {}, t) => graphql(url, q, v, t), must: (q, v, t) => mustQuery(url, q, v, t) } as TestHub;
}

const gateway = (i: number) => stacks[i % stacks.length].gateway;
const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }';

async function partner(i = 0): Promise<{ id: string; token: string }> {
  const data = await mustQuery<{ createPartner: { partner: { id: string } } }>(
    gateway(i),
    'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
    { input: { name: `Partner ${randomUUID()}`, currency: 'NOK', earnRate: '1' } },
    await hub.admin(),
  );
  const id = data.createPartner.partner.id;
  return { id, token: await hub.token({ scope: PARTNER_SCOPES, partner_id: id }, { subject: `client-${id}` }) };
}

async function member(partnerToken: string, i = 0): Promise<{ id: string; token: string }> {
  const data = await mustQuery<{ enrollMember: { member: { id: string } } }>(
    gateway(i),
    'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }',
    { input: { email: `m-${randomUUID()}@example.com`, displayName: 'Scale Member', idempotencyKey: randomUUID() } },
    partnerToken,
  );
  const id = data.enrollMember.member.id;
  return { id, token: await hub.memberToken(id) };
}

/** Registers the receiver for the partner's `events`; answers the signing secret. */
async function webhookEndpoint(partnerToken: string, events: string[]): Promise<string> {
  const created = await mustQuery<{ createWebhookEndpoint: { secret: string } }>(
    gateway(1),
    'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } secret } }',
    { input: { url: receiver.url, events } },
    partnerToken,
  );
  return created.createWebhookEndpoint.secret;
}

const earn = (i: number, partnerToken: string, memberId: string, amount: string, key = randomUUID()) =>
  graphql<{ earnPoints: { transaction: { id: string; points: number } } }>(gateway(i), EARN, { input: { memberId, purchase: { amount, currency: 'NOK' }, reference: `R-${key}`, idempotencyKey: key } }, partnerToken);

beforeAll(async () => {
  // The compiled hub, as `npm start` builds it.
  await buildDist();
  // A database of its own, migrated by the first processes to start; no in-process subgraphs.
  hub = await startHub({ isolatedDatabase: true, subgraphs: [], gateway: false });
  dataDir = mkdtempSync(join(tmpdir(), 'hub-scale-'));
  receiver = await startReceiver();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    HUB_DATA_DIR: dataDir,
    DATABASE_URL: (hub.db as unknown as { options: { connectionString: string } }).options.connectionString,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    AUTH_JWKS_FILE: hub.keys.jwksFile,
    SERVICE_SIGNING_KEY_FILE: hub.keys.serviceKeyFile,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    // Eight subgraph processes share the server's max_connections with every other test: two each (and the
    // race below still runs across processes).
    DB_POOL_SIZE: '2',
    WELCOME_BONUS_POINTS: '0',
    // Every background loop runs in both stacks, often: each piece of work is raced for.
    LEDGER_SWEEP_INTERVAL_MS: '200',
    HOLD_TTL_SECONDS: '2',
    PLEDGE_RELAY_INTERVAL_MS: '100',
    WEBHOOK_DELIVERY_INTERVAL_MS: '100',
    DONATIONS_RECONCILE_INTERVAL_MS: '150',
    DONATIONS_RECONCILE_AFTER_MS: '200',
    DONATION_MIN_POINTS: '1',
    // Limits shared through Redis when there is one: a small budget for anonymous callers (keyed by address),
    // ample ones for everyone else. Without Redis, no limits. Behind a load balancer, as scale-out is deployed
    // (one trusted hop): the caller's address is the one the balancer forwards.
    ...(REDIS_URL
      ? { REDIS_URL, TRUST_PROXY_HOPS: '1', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_WINDOW_MS: '60000', RATE_LIMIT_ANONYMOUS: '4', RATE_LIMIT_PARTNER: '100000', RATE_LIMIT_MEMBER: '100000', RATE_LIMIT_OTHER: '100000' }
      : { RATE_LIMIT_ENABLED: 'false' }),
  };
  await Promise.all([startStack('A', env), startStack('B', env)]);
  await expectStacksAlive('after start-up');
}, 300_000);

// Each test runs against, and ends with, both stacks whole: a process that died or a port another server
// answers on is named as such, not as a wrong count or a missing field.
beforeEach(() => expectStacksAlive('before the test'));
afterEach(() => expectStacksAlive('after the test'));

afterAll(async () => {
  await Promise.all(stacks.map(stopStack));
  await receiver?.close();
  await hub?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('two hubs of five processes each (HUB_MODE=processes) on one database', () => {
  it('runs ten processes: each stack a gateway and four subgraphs, each its own OS process', () => {
    for (const stack of stacks) {
      const entries = childrenOf(stack.child.pid!)
        .map((p) => /dist\/(\S+)\/src\/index\.js/.exec(p.args)?.[1])
        .filter(Boolean)
        .sort();
      expect(entries, `stack ${stack.name}`).toEqual(['gateway', 'subgraphs/donations', 'subgraphs/members', 'subgraphs/partners', 'subgraphs/points']);
    }
  });

  it('lets exactly 3 of 12 concurrent redemptions of 30 spend 100 points, spread over both gateways', async () => {
    const p = await partner();
    const m = await member(p.token, 1);
    expect((await earn(0, p.token, m.id, '100.00')).errors).toBeUndefined();
    const ledgers = stacks.map((s) => ledgerClient(via(s.gateway)));
    const codes = await Promise.all(Array.from({ length: 12 }, (_, i) => ledgers[i % 2].code(m.token)));
    const results = await Promise.all(codes.map((code, i) => ledgers[i % 2].redeem(p.token, m.id, 30, code)));
    const outcomes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok');
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'INSUFFICIENT_POINTS')).toHaveLength(9);
    expect(await ledgers[1].points(m.token)).toEqual({ balance: 10, available: 10, pending: 0 });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('replays an idempotent earn retried through the other gateway', async () => {
    const p = await partner();
    const m = await member(p.token);
    const key = randomUUID();
    const first = await earn(0, p.token, m.id, '42.00', key);
    const retry = await earn(1, p.token, m.id, '42.00', key);
    expect(first.errors).toBeUndefined();
    expect(retry.data).toEqual(first.data);
    expect(await count(hub.db, 'points.transactions', 'member_id = $1', [m.id])).toBe(1);
  });

  it('relays each earn to pledges once and delivers each webhook once (one webhook-id, one request), with both points processes relaying and delivering', async () => {
    const p = await partner();
    const secret = await webhookEndpoint(p.token, ['points.earned']);
    const members = await Promise.all(Array.from({ length: 4 }, (_, i) => member(p.token, i)));
    const earns = await Promise.all(Array.from({ length: 24 }, (_, i) => earn(i, p.token, members[i % 4].id, `${10 + i}.00`)));
    const ids = earns.map((e) => e.data!.earnPoints.transaction.id);
    await until('24 relayed earns', () => count(hub.db, 'points.earn_outbox', 'transaction_id = ANY($1::uuid[]) AND delivered_at IS NOT NULL', [ids]), (n) => n === 24, 20_000);
    expect(await count(hub.db, 'donations.pledge_accruals', 'earn_id = ANY($1::uuid[])', [ids])).toBe(24);

    const verifier = new Webhook(secret);
    const ofThese = () => receiver.requests.filter((r) => ids.includes((JSON.parse(r.body) as { data: { transactionId?: string } }).data.transactionId ?? ''));
    await until('24 deliveries', () => ofThese().length, (n) => n >= 24, 20_000);
    await sleep(1_000); // both deliverers keep polling: a second delivery of anything would arrive now
    const got = ofThese();
    expect(got).toHaveLength(24);
    expect(new Set(got.map((r) => r.id)).size).toBe(24);
    const events = got.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as { type: string; data: { transactionId: string } });
    expect(new Set(events.map((e) => e.data.transactionId))).toEqual(new Set(ids));
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['points.earned']));
  });

  it('expires a hold once and each expired lot once, with both points processes sweeping', async () => {
    const p = await partner();
    await webhookEndpoint(p.token, ['hold.expired']);
    const m = await member(p.token);
    expect((await earn(1, p.token, m.id, '100.00')).errors).toBeUndefined();
    const ledger = ledgerClient(via(gateway(0)));
    const held = await ledger.authorize(p.token, m.id, 40, await ledger.code(m.token));
    const holdId = held.data!.authorizeRedemption.hold.id;
    expect(await ledger.points(m.token)).toEqual({ balance: 100, available: 60, pending: 40 });
    // HOLD_TTL_SECONDS=2: both sweepers find it due within a few of their 200 ms rounds.
    await until('the hold expired', async () => (await hub.db.query<{ status: string }>('SELECT status FROM points.holds WHERE id = $1', [holdId])).rows[0].status, (s) => s === 'EXPIRED', 20_000);
    await until('the hold.expired webhook', () => receiver.requests.filter((r) => r.body.includes(holdId)).length, (n) => n >= 1, 20_000);
    await sleep(1_000);
    expect(receiver.requests.filter((r) => r.body.includes(holdId))).toHaveLength(1);
    expect(await ledger.points(m.token)).toEqual({ balance: 100, available: 100, pending: 0 });

    // Lots of five members expire at once; both sweepers race for them.
    const lotMembers = await Promise.all(Array.from({ length: 5 }, (_, i) => member(p.token, i)));
    for (const [i, lm] of lotMembers.entries()) expect((await earn(i, p.token, lm.id, '30.00')).errors).toBeUndefined();
    const ids = lotMembers.map((lm) => lm.id);
    await hub.db.query(
      `UPDATE points.lots SET expires_at = now() - interval '1 second' WHERE account_id IN (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = ANY($1::uuid[]))`,
      [ids],
    );
    await until('five expiries', () => count(hub.db, 'points.transactions', `kind = 'EXPIRY' AND member_id = ANY($1::uuid[])`, [ids]), (n) => n >= 5, 20_000);
    await sleep(1_000);
    expect(await count(hub.db, 'points.transactions', `kind = 'EXPIRY' AND member_id = ANY($1::uuid[])`, [ids])).toBe(5);
    for (const lm of lotMembers) expect(await ledger.points(lm.token)).toEqual({ balance: 0, available: 0, pending: 0 });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('completes each donation a crash left PENDING once, with both donations processes reconciling', async () => {
    const p = await partner();
    const m = await member(p.token);
    expect((await earn(0, p.token, m.id, '100.00')).errors).toBeUndefined();
    const charity = await mustQuery<{ createCharity: { charity: { id: string } } }>(
      gateway(1),
      'mutation($input: CreateCharityInput!) { createCharity(input: $input) { charity { id } } }',
      { input: { name: `Charity ${randomUUID()}` } },
      await hub.admin(),
    );
    // What a donations process leaves when it dies right after writing the donation (the `donation-write`
    // crash point): PENDING rows, nothing in the ledger yet. Eight of them, 10 points each.
    const donationIds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { rows } = await hub.db.query<{ id: string }>(
        `INSERT INTO donations.donations (member_id, charity_id, points, receipt_id, status, value_minor, currency)
         VALUES ($1, $2, 10, $3, 'PENDING', 10, 'EUR') RETURNING id`,
        [m.id, charity.createCharity.charity.id, newReceiptId()],
      );
      donationIds.push(rows[0].id);
    }
    await until('eight confirmed donations', () => count(hub.db, 'donations.donations', `id = ANY($1::uuid[]) AND status = 'CONFIRMED'`, [donationIds]), (n) => n === 8, 20_000);
    await sleep(600);
    // Once each: one ledger transaction per donation, one receipt each, the member debited 80 points.
    const { rows } = await hub.db.query<{ n: string; ids: string }>(
      `SELECT count(*)::text AS n, count(DISTINCT d.posting_transaction_id)::text AS ids FROM donations.donations d WHERE d.id = ANY($1::uuid[])`,
      [donationIds],
    );
    expect(rows[0]).toEqual({ n: '8', ids: '8' });
    expect(await count(hub.db, 'points.transactions', `kind = 'DONATION' AND member_id = $1`, [m.id])).toBe(8);
    expect(await count(hub.db, 'donations.receipts', `kind = 'DONATION' AND subject_id = ANY($1::uuid[])`, [donationIds])).toBe(8);
    expect(await ledgerClient(via(gateway(1))).points(m.token)).toEqual({ balance: 20, available: 20, pending: 0 });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('gives an anonymous caller one budget over both gateways, shared in Redis', async (context) => {
    if (!REDIS_URL) {
      console.log('scale-out (processes): the shared rate limit is skipped: REDIS_URL is unset (.ci/run sets it where Redis runs)');
      context.skip();
    }
    // An address of this run's own: the budget lives in Redis for a minute, shared with every other test run
    // on the machine (and with this file run again within the minute), where 127.0.0.1 would be everyone's.
    const address = `2001:db8:${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}::1`;
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push((await graphql(gateway(i), '{ __typename }', {}, undefined, { 'x-forwarded-for': address })).errors?.[0]?.extensions?.code ?? 'ok');
    expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(2);
    expect(outcomes.slice(4)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });
});
