import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { startSubgraph, type RunningSubgraph } from '../../lib/src';
import { membersSubgraph } from '../../subgraphs/members/src/subgraph';
import { graphql } from '../../scripts/lib/graphql-client';
import { startHub, type TestHub } from '../support/hub';
import { signServiceToken, TEST_AUDIENCE, TEST_ISSUER } from '../support/keys';

/**
 * Service credentials come from the hub's internal issuer, whose key is not in the people's JWKS: they work
 * only for internal operations, only straight on a subgraph, and nothing from the people's issuer passes
 * for one. Also what a subgraph answers about itself: `_service` and `_entities`.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startHub({ env: { PLEDGE_RELAY_INTERVAL_MS: '0' } });
});
afterAll(async () => hub?.stop());

const POST = 'mutation($input: PostDonationInput!) { postDonation(input: $input) { outcome transactionId } }';
const RECORD = 'mutation($input: RecordPledgeAccrualInput!) { recordPledgeAccrual(input: $input) { outcome } }';

describe('service credentials', () => {
  it('a genuine service credential is refused by the gateway and by every public field of a subgraph', async () => {
    const service = await signServiceToken(hub.keys, 'donations', 'ledger:donate');
    const viaGateway = await hub.query('{ __typename }', {}, service);
    expect(viaGateway.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const partner = await hub.seed.partner();
    for (const [target, query] of [
      ['points', `{ partnerFunding(partnerId: "${partner.id}") { mode } }`],
      ['points', `{ _entities(representations: [{ __typename: "Member", id: "${randomUUID()}" }]) { __typename } }`],
      ['members', `{ memberByCard(cardNumber: "0000000000000000") { id } }`],
      ['partners', `{ partner(id: "${partner.id}") { id } }`],
    ] as const) {
      const answer = await hub.query(query, {}, service, target);
      expect(answer.errors?.[0]?.extensions?.code, `${target}: ${query}`).toBe('FORBIDDEN');
      expect(answer.data ?? null, `${target}: ${query}`).toBeNull();
    }
  });

  it('an internal operation takes only its own service\'s credential: look-alikes from the people\'s issuer are refused', async () => {
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '100.00', 'NOK');
    const input = { donationId: randomUUID(), memberId: member.id, charityId: randomUUID(), points: 10 };
    const forbidden = [
      // The people's issuer, with the service's subject and scope: the scope is stripped, the issuer is not the hub's.
      await hub.token({ scope: 'ledger:donate' }, { subject: 'donations-service' }),
      // The other service's credential, and this service's credential with the other scope.
      await signServiceToken(hub.keys, 'points', 'pledges:record'),
      await signServiceToken(hub.keys, 'donations', 'pledges:record'),
    ];
    for (const token of forbidden) expect((await hub.query(POST, { input }, token, 'points')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unauthenticated = [
      // The internal issuer's name on a token signed with a people's key, and the service key naming the people's issuer.
      await signServiceToken(hub.keys, 'donations', 'ledger:donate', { key: hub.keys.trusted.ES256 }),
      await signServiceToken(hub.keys, 'donations', 'ledger:donate', { issuer: TEST_ISSUER, audience: TEST_AUDIENCE }),
    ];
    for (const token of unauthenticated) expect((await hub.query(POST, { input }, token, 'points')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const { rows } = await hub.db.query('SELECT 1 FROM points.donation_postings WHERE donation_id = $1', [input.donationId]);
    expect(rows).toHaveLength(0);

    const posted = await hub.query<{ postDonation: { outcome: string } }>(POST, { input }, await signServiceToken(hub.keys, 'donations', 'ledger:donate'), 'points');
    expect(posted.errors).toBeUndefined();
    expect(posted.data?.postDonation.outcome).toBe('POSTED');
    const pledge = { eventId: randomUUID(), kind: 'EARN', earnId: randomUUID(), partnerId: partner.id, memberId: member.id, purchaseMinor: '100', currency: 'NOK', occurredAt: new Date().toISOString() };
    const lookalike = await hub.token({ scope: 'pledges:record' }, { subject: 'points-service' });
    expect((await hub.query(RECORD, { input: pledge }, lookalike, 'donations')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('a relay round in one call (recordPledgeAccruals)', () => {
  const RECORD_MANY = 'mutation($input: RecordPledgeAccrualsInput!) { recordPledgeAccruals(input: $input) { results { eventId outcome } } }';

  it('consumes each event once, in order, all or nothing; a replayed round answers the first outcomes and writes nothing new; only the points credential', async () => {
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const event = (kind: 'EARN' | 'EARN_REVERSAL', earnId: string, eventId = earnId) => ({
      eventId, kind, earnId, partnerId: partner.id, memberId: member.id, purchaseMinor: '1000', currency: 'NOK', occurredAt: new Date().toISOString(),
    });
    const earnA = randomUUID();
    const earnB = randomUUID();
    // An earn and its reversal in one round: the reversal finds the earn consumed earlier in the same transaction.
    const round = [event('EARN', earnA), event('EARN', earnB), event('EARN_REVERSAL', earnA, randomUUID())];
    const service = await signServiceToken(hub.keys, 'points', 'pledges:record');
    const first = await hub.query<{ recordPledgeAccruals: { results: { eventId: string; outcome: string }[] } }>(RECORD_MANY, { input: { events: round } }, service, 'donations');
    expect(first.errors).toBeUndefined();
    expect(first.data!.recordPledgeAccruals.results).toEqual(round.map((e) => ({ eventId: e.eventId, outcome: 'NO_PLEDGE' })));
    const accruals = async () => (await hub.db.query('SELECT event_id FROM donations.pledge_accruals WHERE member_id = $1', [member.id])).rows.length;
    expect(await accruals()).toBe(3);
    const again = await hub.query<{ recordPledgeAccruals: { results: unknown[] } }>(RECORD_MANY, { input: { events: round } }, service, 'donations');
    expect(again.data?.recordPledgeAccruals.results).toEqual(first.data!.recordPledgeAccruals.results);
    expect(await accruals()).toBe(3);
    // One event the consumer cannot take (a reversal of an earn it never saw): the whole round is refused, nothing written.
    const refused = await hub.query(RECORD_MANY, { input: { events: [event('EARN', randomUUID()), event('EARN_REVERSAL', randomUUID(), randomUUID())] } }, service, 'donations');
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await accruals()).toBe(3);
    expect((await hub.query(RECORD_MANY, { input: { events: [] } }, service, 'donations')).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
    const lookalike = await hub.token({ scope: 'pledges:record' }, { subject: 'points-service' });
    expect((await hub.query(RECORD_MANY, { input: { events: [event('EARN', randomUUID())] } }, lookalike, 'donations')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await accruals()).toBe(3);
  });
});

describe('what a subgraph tells about itself', () => {
  it('_entities with a type that is no entity answers BAD_USER_INPUT naming the representation, not INTERNAL', async () => {
    const admin = await hub.admin();
    for (const target of ['members', 'points', 'partners', 'donations'] as const) {
      for (const typename of ['Query', 'NoSuchType', 'Money']) {
        const answer = await hub.query(`{ _entities(representations: [{ __typename: "${typename}", id: "${randomUUID()}" }]) { __typename } }`, {}, admin, target);
        expect(answer.errors?.[0]?.extensions, `${target} ${typename}`).toEqual({ code: 'BAD_USER_INPUT', field: 'representations.0.__typename' });
      }
    }
  });

  describe('in production', () => {
    let production: RunningSubgraph;
    beforeAll(async () => {
      production = await startSubgraph(membersSubgraph as Parameters<typeof startSubgraph>[0], {
        DATABASE_URL: inject('databaseUrl'),
        AUTH_ISSUER: TEST_ISSUER,
        AUTH_AUDIENCE: TEST_AUDIENCE,
        AUTH_JWKS_FILE: hub.keys.jwksFile,
        SERVICE_SIGNING_KEY_FILE: hub.keys.serviceKeyFile,
        PARTNERS_URL: hub.urls.partners,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'production',
        DB_POOL_SIZE: '2',
      });
    });
    afterAll(async () => production?.stop());

    it('_service (the full SDL, internal operations included) is refused to every caller but the hub\'s services', async () => {
      const SDL = '{ _service { sdl } }';
      for (const token of [await hub.admin(), await hub.partnerToken(randomUUID())]) {
        const answer = await graphql(production.url, SDL, {}, token);
        expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(answer.data ?? null).toBeNull();
      }
      const service = await graphql<{ _service: { sdl: string } }>(production.url, SDL, {}, await signServiceToken(hub.keys, 'points', 'pledges:record'));
      expect(service.data?._service.sdl).toContain('type Member');
      // Development serves it to any authenticated caller, for tooling.
      const dev = await hub.query<{ _service: { sdl: string } }>(SDL, {}, await hub.admin(), 'members');
      expect(dev.data?._service.sdl).toContain('type Member');
    });
  });
});
