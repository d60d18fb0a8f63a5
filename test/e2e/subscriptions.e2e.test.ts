import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { liveUpdatesScenario, ACCOUNT_EVENTS, PARTNER_EVENTS } from '../support/live-updates';
import { subscribe } from '../support/sse';

/**
 * GraphQL subscriptions through the gateway (the hub as `HUB_MODE=processes` runs it: the gateway calls the
 * points subgraph over HTTP): `accountEvents` and `partnerEvents` over Server-Sent Events, the gateway
 * subscribing to the points subgraph over SSE in turn. The single-process hub runs the same scenario in
 * subscriptions-single-process.e2e.test.ts.
 */

let hub: TestHub;

beforeAll(async () => {
  hub = await startHub({ env: { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' } });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

describe('subscriptions through the gateway (processes)', () => {
  liveUpdatesScenario(() => hub);

  it('subscribes over GET too, and the points subgraph refuses a subscription sent as JSON', async () => {
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const stream = await subscribe(hub.gatewayUrl, ACCOUNT_EVENTS, { token: member.token, method: 'GET' });
    try {
      expect(stream.response.status).toBe(200);
      const earn = await hub.seed.earn(partner.token, member.id, '30.00', 'NOK');
      const event = await stream.waitFor((e) => (e.data?.accountEvents as { transactionId?: string } | undefined)?.transactionId === earn.id);
      expect(event.data?.accountEvents).toMatchObject({ type: 'points.earned', points: earn.points, account: { balance: earn.points } });
    } finally {
      stream.close();
    }
    // Straight to the subgraph, as JSON: no stream to send events on, so refused before anything runs.
    const json = await hub.query(PARTNER_EVENTS, {}, partner.token, 'points');
    expect(json.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('the query planners', () => {
  it("serves them with the JavaScript planner too (GATEWAY_PLANNER=stitching; Hive Router's is the default)", async () => {
    const gateway = await hub.startGateway({ GATEWAY_PLANNER: 'stitching' });
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const stream = await subscribe(gateway.url, ACCOUNT_EVENTS, { token: member.token });
    try {
      expect(stream.response.status).toBe(200);
      const earn = await hub.seed.earn(partner.token, member.id, '15.00', 'NOK');
      const event = await stream.waitFor((e) => (e.data?.accountEvents as { transactionId?: string } | undefined)?.transactionId === earn.id);
      expect(event.data?.accountEvents).toMatchObject({ type: 'points.earned', points: earn.points, account: { balance: earn.points, available: earn.points, pending: 0 } });
    } finally {
      stream.close();
    }
  });
});

describe('curl -N', () => {
  it("holds a subscription open and shows a till's earn arriving (the README's command)", async () => {
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    // The README's command, as a shell runs it; `exec` makes the child curl itself, so it is the one stopped.
    const command = `exec curl -N -s "$GATEWAY" -H "authorization: Bearer $MEMBER_TOKEN" -H 'accept: text/event-stream' -H 'content-type: application/json' \\
      -d '{"query":"subscription { accountEvents { type transactionId points account { balance available } } }"}'`;
    const curl = spawn('bash', ['-c', command], { env: { ...process.env, GATEWAY: hub.gatewayUrl, MEMBER_TOKEN: member.token }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    curl.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const seen = async (text: string, ms = 5_000) => {
      const deadline = Date.now() + ms;
      while (!output.includes(text)) {
        if (Date.now() > deadline || curl.exitCode !== null) throw new Error(`curl printed no ${text} within ${ms} ms: ${JSON.stringify(output)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      // The stream opens with a comment (`:`) once the subscription listens; the earn comes after it.
      await seen(':');
      const earn = await hub.seed.earn(partner.token, member.id, '42.00', 'NOK');
      await seen(earn.id);
      const line = output.split('\n').find((l) => l.startsWith('data:') && l.includes(earn.id))!;
      expect(output).toContain('event: next');
      expect(JSON.parse(line.slice(5))).toEqual({
        data: { accountEvents: { type: 'points.earned', transactionId: earn.id, points: earn.points, account: { balance: earn.points, available: earn.points } } },
      });
      expect(curl.exitCode).toBeNull(); // still open, waiting for the next event
    } finally {
      curl.kill();
    }
  });
});

describe("the gateway's policies apply to subscriptions", () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  it('counts a subscription against the caller\'s rate budget (RATE_LIMITED, 429, before anything is subscribed)', async () => {
    const gateway = await hub.startGateway({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_WINDOW_MS: '60000', RATE_LIMIT_MEMBER: '2' });
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const streams = [await subscribe(gateway.url, ACCOUNT_EVENTS, { token: member.token }), await subscribe(gateway.url, ACCOUNT_EVENTS, { token: member.token })];
    const third = await subscribe(gateway.url, ACCOUNT_EVENTS, { token: member.token });
    try {
      expect(streams.map((s) => s.response.status)).toEqual([200, 200]);
      expect(third.response.status).toBe(429);
      expect(third.response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await third.response.json()) as { errors: { extensions: unknown }[] }).errors[0].extensions).toEqual({ code: 'RATE_LIMITED' });
    } finally {
      for (const s of [...streams, third]) s.close();
    }
  });

  it('with trusted documents, subscribes by a known documentId and refuses a subscription sent as text', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hub-trusted-')), 'manifest.json');
    writeFileSync(file, JSON.stringify({ [sha256(ACCOUNT_EVENTS)]: ACCOUNT_EVENTS }));
    const gateway = await hub.startGateway({ TRUSTED_DOCUMENTS_FILE: file });
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);

    // As for a query: refused before it runs, here as the stream's one event.
    const text = await subscribe(gateway.url, PARTNER_EVENTS, { token: partner.token });
    await text.waitForComplete();
    expect(text.events.map((e) => [e.data ?? null, e.errors?.map((x) => x.extensions)])).toEqual([[null, [{ code: 'BAD_USER_INPUT', field: 'documentId' }]]]);
    const byId = await subscribe(gateway.url, null, { token: member.token, documentId: sha256(ACCOUNT_EVENTS) });
    try {
      expect(byId.response.status).toBe(200);
      const earn = await hub.seed.earn(partner.token, member.id, '20.00', 'NOK');
      const event = await byId.waitFor((e) => (e.data?.accountEvents as { transactionId?: string } | undefined)?.transactionId === earn.id);
      expect(event.data?.accountEvents).toMatchObject({ account: { balance: earn.points } });
    } finally {
      byId.close();
      text.close();
    }
  });
});

