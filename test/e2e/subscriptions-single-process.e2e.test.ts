import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessCallCount } from '../../lib/src';
import { startHub, type TestHub } from '../support/hub';
import { ACCOUNT_EVENTS, liveUpdatesScenario } from '../support/live-updates';
import { subscribe } from '../support/sse';

/**
 * The live-updates scenario on the single-process hub (HUB_MODE=single, the `npm start` default): the
 * gateway hands the subscription to the points subgraph in-process and reads its event stream without HTTP.
 */

let hub: TestHub;

beforeAll(async () => {
  hub = await startHub({ inProcessCalls: true, env: { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' } });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

describe('subscriptions through the gateway (single process)', () => {
  liveUpdatesScenario(() => hub);

  it('subscribes in-process, not over HTTP', async () => {
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const before = inProcessCallCount();
    const stream = await subscribe(hub.gatewayUrl, ACCOUNT_EVENTS, { token: member.token });
    try {
      expect(stream.response.status).toBe(200);
      expect(inProcessCallCount() - before).toBeGreaterThanOrEqual(1);
    } finally {
      stream.close();
    }
  });
});

