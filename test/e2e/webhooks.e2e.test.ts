import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSender } from '../../subgraphs/points/src/clients/webhook.client';
import { MaintenanceService } from '../../subgraphs/points/src/services/maintenance.service';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient } from '../support/ledger';
import { until } from '../support/wait';

/**
 * Partner webhooks against PostgreSQL, to local receivers (node:http): Standard Webhooks signatures checked
 * with the spec's library, retries after failures, order per member, redelivery, disabling, isolation between
 * partners, SSRF refusal in production, and member notices. A database of its own: the tier table is global.
 */

interface Received {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  event: { type: string; timestamp: string; data: Record<string, unknown> };
}

interface Receiver {
  url: string;
  /** Answers accepted with 2xx, in arrival order. */
  delivered: Received[];
  /** Every request, failed ones included. */
  all: Received[];
  /** Decides each request's status (default 200). */
  status: (r: Received, attempt: number) => number;
  close(): Promise<void>;
}

async function receiver(status: Receiver['status'] = () => 200): Promise<Receiver> {
  const r: Receiver = { url: '', delivered: [], all: [], status, close: async () => undefined };
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const got: Received = { id: String(req.headers['webhook-id']), headers: req.headers, body, event: JSON.parse(body) as Received['event'] };
      const n = (attempts.get(got.id) ?? 0) + 1;
      attempts.set(got.id, n);
      r.all.push(got);
      const code = r.status(got, n);
      if (code >= 200 && code < 300) r.delivered.push(got);
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  r.url = `http://127.0.0.1:${port}/hooks`;
  r.close = () => new Promise((resolve) => server.close(() => resolve()));
  return r;
}


const ALL = ['points.earned', 'points.redeemed', 'points.reversed', 'hold.captured', 'hold.voided', 'hold.expired', 'member.tier_changed', 'points.expiring'];
const CREATE = 'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id url events status } secret } }';
const ENDPOINTS = `query($p: ID) { webhookEndpoints(partnerId: $p) { id status disabledReason consecutiveFailures
  deliveries(first: 100) { id eventId eventType status attempts lastStatusCode lastError deliveredAt } } }`;

type Endpoint = { id: string; status: string; disabledReason: string | null; consecutiveFailures: number; deliveries: { id: string; eventId: string; eventType: string; status: string; attempts: number; lastStatusCode: number | null; lastError: string | null }[] };

let hub: TestHub;
const receivers: Receiver[] = [];

beforeAll(async () => {
  hub = await startHub({
    isolatedDatabase: true,
    env: {
      WEBHOOK_DELIVERY_INTERVAL_MS: '50',
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_RETRY_MAX_MS: '300',
      WEBHOOK_DISABLE_AFTER_FAILURES: '4',
      WEBHOOK_DISABLE_AFTER_SECONDS: '0',
      WEBHOOK_TIMEOUT_MS: '2000',
      PLEDGE_RELAY_INTERVAL_MS: '0',
      POINTS_EXPIRY_MONTHS: '1',
      LOG_LEVEL: 'error',
    },
  });
});
afterAll(async () => {
  await hub?.stop();
  for (const r of receivers) await r.close();
});

async function setup(status?: Receiver['status'], events = ALL) {
  const partner = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
  const rec = await receiver(status);
  receivers.push(rec);
  const created = await hub.must<{ createWebhookEndpoint: { endpoint: { id: string }; secret: string } }>(CREATE, { input: { url: rec.url, events } }, partner.token);
  return { partner, rec, endpointId: created.createWebhookEndpoint.endpoint.id, secret: created.createWebhookEndpoint.secret };
}

const endpointsOf = async (token: string, partnerId?: string) =>
  (await hub.must<{ webhookEndpoints: Endpoint[] }>(ENDPOINTS, { p: partnerId ?? null }, token)).webhookEndpoints;

/** The member consents to partner data sharing (members subgraph): its notices may go to its partners. */
const consent = (token: string) => hub.must('mutation { setConsents(input: { partnerDataSharing: true }) { __typename } }', {}, token);

const reverse = (token: string, transactionId: string) =>
  hub.must('mutation($i: ReverseTransactionInput!) { reverseTransaction(input: $i) { transaction { id } } }', { i: { transactionId, idempotencyKey: randomUUID() } }, token);

describe('partner webhooks', () => {
  it('an earn and its refund arrive signed (Standard Webhooks library verifies), after the receiver failed the first attempts; the log shows attempts', async () => {
    const { partner, rec, endpointId, secret } = await setup((_r, attempt) => (attempt <= 2 ? 503 : 204));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const member = await hub.seed.member(partner.token);
    const earn = await hub.seed.earn(partner.token, member.id, '120.00', 'NOK');
    await reverse(partner.token, earn.id);
    await until('two deliveries', () => rec.delivered.length, (n) => n >= 2);

    const verifier = new Webhook(secret);
    const events = rec.delivered.map((d) => verifier.verify(d.body, d.headers as Record<string, string>) as Received['event']);
    expect(events.map((e) => e.type)).toEqual(['points.earned', 'points.reversed']);
    expect(events[0].data).toMatchObject({ transactionId: earn.id, memberId: member.id, partnerId: partner.id, points: earn.points, purchase: { amountMinor: 12000, currency: 'NOK' } });
    expect(events[1].data).toMatchObject({ reverses: earn.id, memberId: member.id, partnerId: partner.id, points: -earn.points });
    // A tampered body or another secret does not verify.
    expect(() => verifier.verify(rec.delivered[0].body.replace('points.earned', 'points.redeemed'), rec.delivered[0].headers as Record<string, string>)).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(rec.delivered[0].body, rec.delivered[0].headers as Record<string, string>)).toThrow();
    // Each event came three times under one webhook-id: twice refused, then accepted.
    for (const d of rec.delivered) expect(rec.all.filter((a) => a.id === d.id)).toHaveLength(3);

    const [endpoint] = await endpointsOf(partner.token);
    expect(endpoint.id).toBe(endpointId);
    expect(endpoint.deliveries.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode, d.lastError]).sort()).toEqual([
      ['points.earned', 'DELIVERED', 3, 204, null],
      ['points.reversed', 'DELIVERED', 3, 204, null],
    ]);
    expect(new Set(endpoint.deliveries.map((d) => d.eventId))).toEqual(new Set(rec.delivered.map((d) => d.id)));
  });

  it("a member's events arrive in order even when an earlier one needs retries", async () => {
    let first: string | null = null;
    const { partner, rec } = await setup((r, attempt) => {
      first ??= r.id;
      return r.id === first && attempt <= 2 ? 500 : 200;
    });
    const member = await hub.seed.member(partner.token);
    const earns = [];
    for (let i = 1; i <= 5; i++) earns.push(await hub.seed.earn(partner.token, member.id, `${i}0.00`, 'NOK'));
    await until('five deliveries', () => rec.delivered.length, (n) => n >= 5);
    expect(rec.delivered.map((d) => d.event.data.transactionId)).toEqual(earns.map((e) => e.id));
    expect(rec.all.filter((a) => a.id === first)).toHaveLength(3);
  });

  it('redelivers on request with the same webhook-id; another partner cannot', async () => {
    const { partner, rec } = await setup();
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '10.00', 'NOK');
    await until('one delivery', () => rec.delivered.length, (n) => n === 1);
    const [endpoint] = await endpointsOf(partner.token);
    const delivery = endpoint.deliveries[0];
    const other = await hub.seed.partner();
    const REDELIVER = 'mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status eventId } }';
    const refused = await hub.query(REDELIVER, { id: delivery.id }, other.token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const again = await hub.must<{ redeliverWebhook: { status: string; eventId: string } }>(REDELIVER, { id: delivery.id }, partner.token);
    expect(again.redeliverWebhook).toMatchObject({ status: 'PENDING', eventId: delivery.eventId });
    await until('the redelivery', () => rec.delivered.length, (n) => n === 2);
    expect(rec.delivered[1].id).toBe(rec.delivered[0].id);
    expect(rec.delivered[1].body).toBe(rec.delivered[0].body);
    const [after] = await endpointsOf(partner.token);
    expect(after.deliveries[0]).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });

  it('an endpoint that keeps failing is disabled with the reason visible to the partner; enabling it sends what waited', async () => {
    let down = true;
    const { partner, rec, endpointId } = await setup(() => (down ? 500 : 200));
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '10.00', 'NOK');
    const [disabled] = await until('the endpoint disabled', () => endpointsOf(partner.token), (e) => e[0].status === 'DISABLED');
    expect(disabled.disabledReason).toMatch(/^4 failed attempts in a row since .+; last: HTTP 500$/);
    expect(disabled.deliveries[0]).toMatchObject({ status: 'PENDING', attempts: 4, lastStatusCode: 500, lastError: 'HTTP 500' });
    const tried = rec.all.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(rec.all.length).toBe(tried);
    down = false;
    const enabled = await hub.must<{ enableWebhookEndpoint: { status: string } }>('mutation($id: ID!) { enableWebhookEndpoint(id: $id) { status } }', { id: endpointId }, partner.token);
    expect(enabled.enableWebhookEndpoint.status).toBe('ACTIVE');
    await until('the waiting delivery', () => rec.delivered.length, (n) => n === 1);
  });

  it("a partner receives only its own transactions' events, never another partner's", async () => {
    const a = await setup();
    const b = await setup();
    const member = await hub.seed.member(a.partner.token);
    const atA = await hub.seed.earn(a.partner.token, member.id, '30.00', 'NOK');
    const atB = await hub.seed.earn(b.partner.token, member.id, '40.00', 'NOK');
    await reverse(b.partner.token, atB.id);
    await until('deliveries to both', () => [a.rec.delivered.length, b.rec.delivered.length], ([x, y]) => x >= 1 && y >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.rec.delivered.map((d) => [d.event.type, d.event.data.transactionId])).toEqual([['points.earned', atA.id]]);
    expect(b.rec.delivered.map((d) => d.event.type)).toEqual(['points.earned', 'points.reversed']);
    for (const [r, p] of [[a.rec, a.partner.id], [b.rec, b.partner.id]] as const) {
      for (const d of r.delivered) expect(d.event.data.partnerId).toBe(p);
    }
    // Another partner's endpoints are not readable either.
    expect((await hub.query(ENDPOINTS, { p: a.partner.id }, b.partner.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('member.enrolled goes to the enrolling partner only, signed, with the member id and when they joined', async () => {
    const a = await setup(undefined, ['member.enrolled']);
    const b = await setup(undefined, ['member.enrolled']);
    const member = await hub.seed.member(a.partner.token);
    await until('member.enrolled', () => a.rec.delivered.length, (n) => n >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.rec.delivered).toHaveLength(1);
    const event = new Webhook(a.secret).verify(a.rec.delivered[0].body, a.rec.delivered[0].headers as Record<string, string>) as Received['event'];
    expect(event.type).toBe('member.enrolled');
    expect(event.data).toMatchObject({ memberId: member.id, partnerId: a.partner.id });
    expect(Number.isNaN(Date.parse(String(event.data.enrolledAt)))).toBe(false);
    expect(b.rec.all).toEqual([]);
  });

  it('a till\'s redemption arrives as hold.captured and points.redeemed, a void as hold.voided, each with the hold and no other partner\'s data', async () => {
    const { partner, rec } = await setup();
    const ledger = ledgerClient(hub);
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '500.00', 'NOK');
    const first = (await ledger.authorize(partner.token, member.id, 100, await ledger.code(member.token))).data!.authorizeRedemption.hold;
    const capture = (await ledger.capture(partner.token, first.id, 60)).data!.captureRedemption;
    const second = (await ledger.authorize(partner.token, member.id, 50, await ledger.code(member.token))).data!.authorizeRedemption.hold;
    expect((await ledger.void(partner.token, second.id)).data?.voidRedemption.hold.status).toBe('VOIDED');
    await until('four deliveries', () => rec.delivered.length, (n) => n >= 4);
    const byType = Object.fromEntries(rec.delivered.map((d) => [d.event.type, d.event.data]));
    expect(Object.keys(byType).sort()).toEqual(['hold.captured', 'hold.voided', 'points.earned', 'points.redeemed']);
    expect(byType['points.redeemed']).toMatchObject({ transactionId: capture.transaction.id, memberId: member.id, partnerId: partner.id, points: 60, holdId: first.id });
    expect(byType['hold.captured']).toMatchObject({ holdId: first.id, partnerId: partner.id, points: 100, capturedPoints: 60, transactionId: capture.transaction.id, status: 'CAPTURED' });
    expect(byType['hold.voided']).toMatchObject({ holdId: second.id, partnerId: partner.id, points: 50, capturedPoints: null, status: 'VOIDED' });
  });

  it('refuses unknown event types and URLs that are not http(s)', async () => {
    const partner = await hub.seed.partner();
    const refusal = async (input: Record<string, unknown>) => {
      const e = (await hub.query(CREATE, { input }, partner.token)).errors?.[0]?.extensions;
      return [e?.code, e?.field];
    };
    expect(await refusal({ url: 'http://127.0.0.1:9/x', events: ['points.stolen'] })).toEqual(['BAD_USER_INPUT', 'events']);
    expect(await refusal({ url: 'ftp://127.0.0.1/x', events: ['points.earned'] })).toEqual(['BAD_USER_INPUT', 'url']);
    // Outside production, http only on loopback.
    expect(await refusal({ url: 'http://10.1.2.3/x', events: ['points.earned'] })).toEqual(['BAD_USER_INPUT', 'url']);
    // A partner without reports:read, and the admin without naming a partner.
    const earner = await hub.partnerToken(partner.id, 'points:earn');
    expect((await hub.query(CREATE, { input: { url: 'http://127.0.0.1:9/x', events: ['points.earned'] } }, earner)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await hub.query(CREATE, { input: { url: 'http://127.0.0.1:9/x', events: ['points.earned'] } }, await hub.admin())).errors?.[0]?.extensions?.field).toBe('partnerId');
  });
});

describe('SSRF in production', () => {
  it('a production sender refuses loopback and private addresses at delivery time, by name and by literal; nothing is sent', async () => {
    const rec = await receiver();
    receivers.push(rec);
    const port = new URL(rec.url).port;
    const sender = new WebhookSender({ production: true }, 2000);
    const message = (url: string) => ({ url, secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`, id: 'msg_1', type: 'points.earned', occurredAt: new Date(), data: {} });
    expect(await sender.send(message(`https://127.0.0.1:${port}/hooks`))).toEqual({ ok: false, status: null, error: 'refused: URL resolves to a non-public address (127.0.0.1)' });
    expect(await sender.send(message(`https://localhost:${port}/hooks`))).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/^refused: URL resolves to a non-public address \((127\.0\.0\.1|::1)\)$/) });
    expect(await sender.send(message(`https://[::ffff:10.0.0.1]:${port}/hooks`))).toMatchObject({ ok: false, error: 'refused: URL resolves to a non-public address (::ffff:a00:1)' });
    expect(await sender.send(message(`http://93.184.216.34:${port}/hooks`))).toEqual({ ok: false, status: null, error: 'refused: URL must use https' });
    // The same sender outside production delivers to the loopback receiver.
    expect(await new WebhookSender({ production: false }, 2000).send(message(rec.url))).toEqual({ ok: true, status: 200 });
    expect(rec.all).toHaveLength(1);
  });

  it('a production hub refuses to register http, loopback and private URLs (BAD_USER_INPUT on url)', async () => {
    const prod = await startHub({ isolatedDatabase: true, subgraphs: ['members', 'points', 'partners'], env: { NODE_ENV: 'production', WEBHOOK_DELIVERY_INTERVAL_MS: '0' } });
    try {
      const partner = await prod.seed.partner();
      for (const url of ['http://127.0.0.1:8080/x', 'https://127.0.0.1/x', 'https://localhost/x', 'https://10.0.0.5/x', 'https://169.254.169.254/latest', 'https://[::1]/x']) {
        const e = (await prod.query(CREATE, { input: { url, events: ['points.earned'] } }, partner.token)).errors?.[0]?.extensions;
        expect([url, e?.code, e?.field]).toEqual([url, 'BAD_USER_INPUT', 'url']);
      }
    } finally {
      await prod.stop();
    }
  });
});

describe('member notices', () => {
  it('member.tier_changed when an earn crosses a threshold (and back on its reversal): in Member.notices and sent to the partners where the consenting member earned', async () => {
    await hub.must('mutation($i: ConfigureTiersInput!) { configureTiers(input: $i) { tiers { name } } }', {
      i: { tiers: [{ name: 'Blue', threshold: 0, multiplier: '1' }, { name: 'Gold', threshold: 1000, multiplier: '1' }] },
    }, await hub.admin());
    const a = await setup(undefined, ['member.tier_changed']);
    const stranger = await setup(undefined, ['member.tier_changed']);
    const member = await hub.seed.member(a.partner.token);
    await consent(member.token);
    await hub.seed.earn(a.partner.token, member.id, '500.00', 'NOK');
    const big = await hub.seed.earn(a.partner.token, member.id, '600.00', 'NOK');
    await reverse(a.partner.token, big.id);
    await until('two tier notices', () => a.rec.delivered.length, (n) => n >= 2);
    expect(a.rec.delivered.map((d) => d.event.data)).toEqual([
      { memberId: member.id, from: 'Blue', to: 'Gold', qualifyingPoints: 1100 },
      { memberId: member.id, from: 'Gold', to: 'Blue', qualifyingPoints: 500 },
    ]);
    const NOTICES = 'query($id: ID!) { _entities(representations: [{ __typename: "Member", id: $id }]) { ... on Member { notices { type data } } } }';
    const mine = await hub.query<{ _entities: { notices: { type: string; data: unknown }[] }[] }>(NOTICES, { id: member.id }, member.token, 'points');
    expect(mine.data?._entities[0].notices.map((n) => [n.type, (n.data as { to: string }).to])).toEqual([
      ['member.tier_changed', 'Blue'],
      ['member.tier_changed', 'Gold'],
    ]);
    const other = await hub.seed.member(a.partner.token);
    expect((await hub.query(NOTICES, { id: member.id }, other.token, 'points')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(stranger.rec.all).toHaveLength(0);
    await hub.must('mutation($i: ConfigureTiersInput!) { configureTiers(input: $i) { tiers { name } } }', { i: { tiers: [] } }, await hub.admin()).catch(() => undefined);
  });

  it('points.expiring once per lot batch, from the sweeper, to the partners where the member earned, if the member consented to partner data sharing', async () => {
    const a = await setup(undefined, ['points.expiring']);
    const stranger = await setup(undefined, ['points.expiring']);
    const member = await hub.seed.member(a.partner.token);
    await consent(member.token);
    const earn = await hub.seed.earn(a.partner.token, member.id, '70.00', 'NOK');
    // A member who did not consent: the notice is the member's, and no partner hears of it.
    const private_ = await hub.seed.member(a.partner.token);
    await hub.seed.earn(a.partner.token, private_.id, '80.00', 'NOK');
    const sweeper = new MaintenanceService(hub.subgraphs.points!.dataSource, { warn: () => undefined } as never, 40);
    await sweeper.noticeExpiring();
    await sweeper.noticeExpiring();
    await until('the expiring notice', () => a.rec.delivered.length, (n) => n >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.rec.delivered).toHaveLength(1);
    expect(a.rec.delivered[0].event.type).toBe('points.expiring');
    expect(a.rec.delivered[0].event.data).toMatchObject({ memberId: member.id, points: earn.points });
    expect(stranger.rec.all).toHaveLength(0);
    const { rows } = await hub.db.query(`SELECT count(*)::int AS n FROM points.member_notices WHERE member_id = $1 AND type = 'points.expiring'`, [member.id]);
    expect(rows[0].n).toBe(1);
    const privateNotices = await hub.db.query(`SELECT payload->>'points' AS points FROM points.member_notices WHERE member_id = $1 AND type = 'points.expiring'`, [private_.id]);
    expect(privateNotices.rows).toEqual([{ points: '80' }]);
    // Outside the window: no notice.
    const none = new MaintenanceService(hub.subgraphs.points!.dataSource, { warn: () => undefined } as never, 20);
    const fresh = await hub.seed.member(a.partner.token);
    await hub.seed.earn(a.partner.token, fresh.id, '10.00', 'NOK');
    expect(await none.noticeExpiring()).toBe(0);
  });
});
