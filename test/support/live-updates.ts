import { expect, it } from 'vitest';
import { type TestHub } from './hub';
import { subscribe, type GraphQLEvent } from './sse';

/**
 * The live-updates scenario (issue 19, "Live updates"), run against the hub in both of its layouts: a till's
 * earn reaches the member's `accountEvents` with the balance after it, and the partner's `partnerEvents`;
 * nobody hears another member's or another partner's events; refusals are the queries'.
 */

export const ACCOUNT_EVENTS = 'subscription AccountEvents { accountEvents { id type memberId partnerId transactionId points reference occurredAt account { balance available pending } } }';
export const PARTNER_EVENTS =
  'subscription PartnerEvents($partnerId: ID) { partnerEvents(partnerId: $partnerId) { id type memberId partnerId transactionId points reference data } }';

type Event = { id: string; type: string; memberId: string | null; partnerId: string | null; transactionId: string | null; points: number | null };
const accountEvent = (e: GraphQLEvent) => e.data?.accountEvents as (Event & { account: { balance: number; available: number; pending: number } | null }) | undefined;
const partnerEvent = (e: GraphQLEvent) => e.data?.partnerEvents as (Event & { data: Record<string, unknown> }) | undefined;

/** How long an event may take from the earn's answer to the subscriber (the old stream measured ~0.6 s). */
export const ARRIVAL_MS = 5_000;

export function liveUpdatesScenario(hubOf: () => TestHub): void {
  it("delivers a till's earn to the member's accountEvents (with the balance after it) and the partner's partnerEvents, and to no one else", async () => {
    const hub = hubOf();
    const grocer = await hub.seed.partner({ currency: 'NOK' });
    const fuel = await hub.seed.partner({ currency: 'NOK' });
    const astrid = await hub.seed.member(grocer.token);
    const bjorn = await hub.seed.member(grocer.token);

    const astridStream = await subscribe(hub.gatewayUrl, ACCOUNT_EVENTS, { token: astrid.token });
    const bjornStream = await subscribe(hub.gatewayUrl, ACCOUNT_EVENTS, { token: bjorn.token });
    const grocerStream = await subscribe(hub.gatewayUrl, PARTNER_EVENTS, { token: grocer.token });
    const fuelStream = await subscribe(hub.gatewayUrl, PARTNER_EVENTS, { token: fuel.token });
    const adminStream = await subscribe(hub.gatewayUrl, PARTNER_EVENTS, { token: await hub.admin(), variables: { partnerId: grocer.id } });
    const streams = [astridStream, bjornStream, grocerStream, fuelStream, adminStream];
    try {
      for (const s of streams) {
        expect(s.response.status).toBe(200);
        expect(s.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      }
      const started = Date.now();
      const earn = await hub.seed.earn(grocer.token, astrid.id, '120.00', 'NOK');
      const mine = accountEvent(await astridStream.waitFor((e) => accountEvent(e)?.transactionId === earn.id, ARRIVAL_MS))!;
      console.log(`subscriptions: the earn reached the member's subscription ${Date.now() - started} ms after the earn was sent`);
      expect(mine).toMatchObject({ type: 'points.earned', memberId: astrid.id, partnerId: grocer.id, points: earn.points, account: { balance: earn.points, available: earn.points, pending: 0 } });
      const atTill = partnerEvent(await grocerStream.waitFor((e) => partnerEvent(e)?.transactionId === earn.id))!;
      expect(atTill).toMatchObject({ type: 'points.earned', memberId: astrid.id, partnerId: grocer.id, points: earn.points, data: { transactionId: earn.id } });
      expect(atTill.id).toBe(mine.id);
      await adminStream.waitFor((e) => partnerEvent(e)?.transactionId === earn.id);

      // A second earn: the member's balance after it, read afresh for that event.
      const again = await hub.seed.earn(grocer.token, astrid.id, '10.00', 'NOK');
      const second = accountEvent(await astridStream.waitFor((e) => accountEvent(e)?.transactionId === again.id))!;
      expect(second.account).toEqual({ balance: earn.points + again.points, available: earn.points + again.points, pending: 0 });
      expect(Number(second.id)).toBeGreaterThan(Number(mine.id));

      // Bjorn's own earn at the other partner, after Astrid's: when it arrives, Astrid's would have arrived before it.
      const other = await hub.seed.earn(fuel.token, bjorn.id, '10.00', 'NOK');
      await bjornStream.waitFor((e) => accountEvent(e)?.transactionId === other.id);
      await fuelStream.waitFor((e) => partnerEvent(e)?.transactionId === other.id);
      // Each hears only its own. (A member.enrolled, the member's and its enrolling partner's own, may arrive too
      // when the members subgraph's registration reaches points after the subscription opened.)
      const earned = (events: (Event | undefined)[]) => events.filter((e) => e?.type === 'points.earned').map((e) => e?.transactionId);
      expect(bjornStream.events.every((e) => accountEvent(e)?.memberId === bjorn.id)).toBe(true);
      expect(earned(bjornStream.events.map(accountEvent))).toEqual([other.id]);
      expect(fuelStream.events.every((e) => partnerEvent(e)?.partnerId === fuel.id)).toBe(true);
      expect(earned(fuelStream.events.map(partnerEvent))).toEqual([other.id]);
      expect(astridStream.events.every((e) => accountEvent(e)?.memberId === astrid.id)).toBe(true);
      expect(earned(astridStream.events.map(accountEvent))).toEqual([earn.id, again.id]);
      expect(grocerStream.events.every((e) => partnerEvent(e)?.partnerId === grocer.id)).toBe(true);
      expect(adminStream.events.every((e) => partnerEvent(e)?.partnerId === grocer.id)).toBe(true);
      for (const s of streams) expect(s.events.every((e) => e.errors === undefined)).toBe(true);
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('refuses as the queries do: no token, a member on partnerEvents, a partner on accountEvents or naming another partner', async () => {
    const hub = hubOf();
    const partner = await hub.seed.partner();
    const rival = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);

    const anonymous = await subscribe(hub.gatewayUrl, ACCOUNT_EVENTS, { token: null });
    expect(anonymous.response.status).toBe(401);
    expect(((await anonymous.response.json()) as GraphQLEvent).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    /** The one event a refused subscription sends before it completes: its errors, shaped as a query's. */
    const refusedWith = async (query: string, token: string, variables?: Record<string, unknown>) => {
      const s = await subscribe(hub.gatewayUrl, query, { token, variables });
      expect(s.response.status).toBe(200);
      await s.waitForComplete();
      s.close();
      expect(s.events).toHaveLength(1);
      expect(s.events[0].data ?? null).toBeNull();
      return s.events[0].errors?.map((e) => e.extensions);
    };
    // The subgraph's rule: a member token is neither a partner's nor the admin's; nor may a partner name another.
    let refusedInPoints = await pointsRequests(hub, 'FORBIDDEN');
    expect(await refusedWith(PARTNER_EVENTS, member.token)).toEqual([{ code: 'FORBIDDEN' }]);
    expect(await refusedWith(PARTNER_EVENTS, partner.token, { partnerId: rival.id })).toEqual([{ code: 'FORBIDDEN' }]);
    expect(await pointsRequests(hub, 'FORBIDDEN')).toBe(refusedInPoints + 2);
    // The gateway's: accountEvents asks for the member scope (@requiresScopes), refused before points is called.
    refusedInPoints = await pointsRequests(hub, 'FORBIDDEN');
    expect(await refusedWith(ACCOUNT_EVENTS, partner.token)).toEqual([{ code: 'FORBIDDEN' }]);
    expect(await pointsRequests(hub, 'FORBIDDEN')).toBe(refusedInPoints);
    // A partner naming itself is fine (it hears its own).
    const own = await subscribe(hub.gatewayUrl, PARTNER_EVENTS, { token: partner.token, variables: { partnerId: partner.id } });
    try {
      const earn = await hub.seed.earn(partner.token, member.id, '5.00', 'NOK');
      await own.waitFor((e) => partnerEvent(e)?.transactionId === earn.id);
    } finally {
      own.close();
    }
  });

  it('ends the subscription when the token it was opened with expires (complete reaches the client)', async () => {
    const hub = hubOf();
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const shortLived = await hub.token({ scope: 'member', member_id: member.id }, { subject: `user-${member.id}`, expiresIn: '3s' });
    const stream = await subscribe(hub.gatewayUrl, ACCOUNT_EVENTS, { token: shortLived });
    try {
      expect(stream.response.status).toBe(200);
      const opened = Date.now();
      await stream.waitForComplete(6_000);
      // Not before the token's last second (exp has whole seconds), and soon after it.
      expect(Date.now() - opened).toBeGreaterThan(1_000);
      expect(stream.events.every((e) => accountEvent(e)?.memberId === member.id)).toBe(true); // a late member.enrolled at most
    } finally {
      stream.close();
    }
  });

  it('ends the subscription in the points subgraph when its client goes away', async () => {
    const hub = hubOf();
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const before = await openSubscriptions(hub);
    const stream = await subscribe(hub.gatewayUrl, ACCOUNT_EVENTS, { token: member.token });
    expect(stream.response.status).toBe(200);
    expect(await openSubscriptions(hub)).toBe(before + 1);
    stream.close();
    const deadline = Date.now() + ARRIVAL_MS;
    while ((await openSubscriptions(hub)) !== before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await openSubscriptions(hub)).toBe(before);
  });
}

/** Open subscriptions in the points subgraph, from its metrics. */
export async function openSubscriptions(hub: TestHub): Promise<number> {
  return sumOf(await pointsMetrics(hub), /^hub_live_subscriptions[ {]/);
}

/** Requests (subscriptions included) the points subgraph answered with `outcome`, from its metrics. */
async function pointsRequests(hub: TestHub, outcome: string): Promise<number> {
  return sumOf(await pointsMetrics(hub), new RegExp(`^hub_graphql_requests_total\\{.*outcome="${outcome}"`));
}

async function pointsMetrics(hub: TestHub): Promise<string> {
  return (await fetch(new URL('/metrics', hub.urls.points))).text();
}

function sumOf(text: string, line: RegExp): number {
  return text
    .split('\n')
    .filter((l) => line.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}
