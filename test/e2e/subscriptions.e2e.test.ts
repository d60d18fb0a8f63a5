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
