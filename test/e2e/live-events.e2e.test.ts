import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { readSseBlocks } from '../support/sse';

/**
 * Live updates: GET /events/stream on the gateway, read with a real streaming client (fetch). A till's earn
 * reaches the member's and the partner's streams within a bounded time; nobody hears another member's or
 * another partner's events.
 */

let hub: TestHub;
const ARRIVAL_MS = 5_000;

interface SseEvent {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

/** A Server-Sent Events client over fetch: collects events and lets a test wait for one. */
async function openStream(token: string | null) {
  const controller = new AbortController();
  const response = await fetch(new URL('/events/stream', hub.gatewayUrl), { headers: token ? { authorization: `Bearer ${token}`, accept: 'text/event-stream' } : {}, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  if (response.status === 200) {
    void readSseBlocks(response.body!, ({ event, id, data }) => {
      if (!data) return;
      events.push({ event, id, data: JSON.parse(data) as Record<string, unknown> });
      waiters.splice(0).forEach((w) => w());
    });
  }
  const waitFor = async (match: (e: SseEvent) => boolean, ms = ARRIVAL_MS): Promise<SseEvent> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, left);
      });
    }
  };
  if (response.status === 200) await waitFor((e) => e.event === 'ready');
  return { response, events, waitFor, close: () => controller.abort() };
}

beforeAll(async () => {
  hub = await startHub({ env: { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' } });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

describe('GET /events/stream', () => {
  it("delivers a till's earn to the member (with the balance after it) and the partner within a bounded time, and to no one else", async () => {
    const grocer = await hub.seed.partner({ currency: 'NOK' });
    const fuel = await hub.seed.partner({ currency: 'NOK' });
    const astrid = await hub.seed.member(grocer.token);
    const bjorn = await hub.seed.member(grocer.token);

    const astridStream = await openStream(astrid.token);
    const bjornStream = await openStream(bjorn.token);
    const grocerStream = await openStream(grocer.token);
    const fuelStream = await openStream(fuel.token);
    const adminStream = await openStream(await hub.admin());
    try {
      const started = Date.now();
      const earn = await hub.seed.earn(grocer.token, astrid.id, '120.00', 'NOK');
      const mine = await astridStream.waitFor((e) => e.event === 'points.earned' && (e.data.payload as { transactionId?: string })?.transactionId === earn.id);
      const elapsed = Date.now() - started;
      console.log(`live events: the earn reached the member stream in ${elapsed} ms`);
      expect(elapsed).toBeLessThan(ARRIVAL_MS);
      expect(mine.data).toMatchObject({ type: 'points.earned', memberId: astrid.id, partnerId: grocer.id, payload: { points: earn.points }, balance: { balance: earn.points, available: earn.points, pending: 0 } });
      expect(Number(mine.id)).toBe(mine.data.id);
      await grocerStream.waitFor((e) => e.event === 'points.earned' && e.data.memberId === astrid.id);
      await adminStream.waitFor((e) => e.event === 'points.earned' && e.data.memberId === astrid.id);

      // Bjorn's own earn, after Astrid's: when it arrives, Astrid's would have arrived before it.
      const other = await hub.seed.earn(fuel.token, bjorn.id, '10.00', 'NOK');
      await bjornStream.waitFor((e) => (e.data.payload as { transactionId?: string } | undefined)?.transactionId === other.id);
      await fuelStream.waitFor((e) => e.data.memberId === bjorn.id);
      expect(bjornStream.events.filter((e) => e.event !== 'ready').map((e) => e.data.memberId)).toEqual([bjorn.id]);
      expect(fuelStream.events.filter((e) => e.event !== 'ready').map((e) => e.data.partnerId)).toEqual([fuel.id]);
      expect(astridStream.events.filter((e) => e.event !== 'ready').every((e) => e.data.memberId === astrid.id)).toBe(true);
      expect(grocerStream.events.filter((e) => e.event !== 'ready').every((e) => e.data.partnerId === grocer.id)).toBe(true);
    } finally {
      for (const s of [astridStream, bjornStream, grocerStream, fuelStream, adminStream]) s.close();
    }
  });

  it('refuses a request without a token (401), with a bad one (401), and a token that is neither member, partner nor admin (403)', async () => {
    expect((await openStream(null)).response.status).toBe(401);
    const bad = await openStream('not-a-token');
    expect(bad.response.status).toBe(401);
    expect(((await bad.response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const charity = await openStream(await hub.token({ scope: 'reports:read' }, { subject: 'someone' }));
    expect(charity.response.status).toBe(403);
  });
});
