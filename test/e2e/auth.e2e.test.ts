import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type SubgraphKey, type TestHub } from '../support/hub';

let hub: TestHub;
let partner: { id: string; token: string; currency: string };
let member: { id: string; token: string };

beforeAll(async () => {
  hub = await startHub();
  partner = await hub.seed.partner({ currency: 'NOK' });
  member = await hub.seed.member(partner.token);
});
afterAll(async () => hub?.stop());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ENROLL = 'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }';
const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }';
const enrollInput = () => ({ input: { email: `auth-probe-${randomUUID()}@example.com`, displayName: 'Nobody', idempotencyKey: randomUUID() } });
const earnInput = () => ({ input: { memberId: member.id, purchase: { amount: '100.00', currency: 'NOK' }, reference: 'R', idempotencyKey: randomUUID() } });

async function partnerClaims() {
  return { scope: 'members:enroll points:earn', partner_id: partner.id };
}

/** What a refused probe must not have written: members it tried to enroll, earns for this file's member. */
async function probeWrites() {
  return {
    members: await count(hub.db, 'members.members', "email LIKE 'auth-probe-%'"),
    transactions: await count(hub.db, 'points.transactions', 'member_id = $1', [member.id]),
  };
}

/** Tokens that must all be refused as UNAUTHENTICATED, each built as an attacker or a broken client would. */
async function badTokens(): Promise<Record<string, string | undefined>> {
  const claims = await partnerClaims();
  const now = Math.floor(Date.now() / 1000);
  const rs = hub.keys.trusted.RS256;
  const hsHeader = b64({ alg: 'HS256', kid: rs.kid, typ: 'JWT' });
  const hsPayload = b64({ ...claims, iss: 'https://issuer.test.example', aud: 'coalition-hub-test', sub: 'x', exp: now + 600 });
  const hsSignature = createHmac('sha256', rs.publicPem).update(`${hsHeader}.${hsPayload}`).digest('base64url');
  return {
    'no token': undefined,
    'a malformed token': 'not-a-jwt',
    'an expired token': await hub.token(claims, { expiresIn: now - 120 }),
    'a token from the wrong issuer': await hub.token(claims, { issuer: 'https://evil.example' }),
    'a token for the wrong audience': await hub.token(claims, { audience: 'another-api' }),
    'a token without exp': await hub.token(claims, { omitExp: true }),
    'a token not valid yet': await hub.token(claims, { notBefore: now + 600 }),
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iss: 'https://issuer.test.example', aud: 'coalition-hub-test', sub: 'x', exp: now + 600 })}.`,
    'a token signed by an unknown key': await hub.token(claims, { key: hub.keys.stranger }),
    'HS256 signed with the public key': `${hsHeader}.${hsPayload}.${hsSignature}`,
    'a tampered payload': await (async () => {
      const [h, , s] = (await hub.token(claims)).split('.');
      return `${h}.${b64({ ...claims, scope: 'admin', iss: 'https://issuer.test.example', aud: 'coalition-hub-test', sub: 'x', exp: now + 600 })}.${s}`;
    })(),
  };
}

describe('authentication', () => {
  it('accepts RS256, ES256 and EdDSA tokens from the trusted issuer', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const token = await hub.token({ scope: 'member', member_id: member.id }, { alg });
      const result = await hub.query<{ me: { id: string } }>('{ me { id } }', {}, token);
      expect(result.errors, alg).toBeUndefined();
      expect(result.data?.me.id).toBe(member.id);
    }
  });

  it('refuses every bad token at the gateway with UNAUTHENTICATED and writes nothing', async () => {
    for (const [name, token] of Object.entries(await badTokens())) {
      const enroll = await hub.query(ENROLL, enrollInput(), token);
      expect(enroll.errors?.[0]?.extensions?.code, name).toBe('UNAUTHENTICATED');
      expect(enroll.status, name).toBe(401);
      expect(enroll.data ?? null, name).toBeNull();
      const earn = await hub.query(EARN, earnInput(), token);
      expect(earn.errors?.[0]?.extensions?.code, name).toBe('UNAUTHENTICATED');
    }
    expect(await probeWrites()).toEqual({ members: 0, transactions: 0 });
  });

  it('refuses every bad token in each subgraph called directly (zero trust)', async () => {
    const tokens = await badTokens();
    const probes: [SubgraphKey, string, Record<string, unknown>][] = [
      ['members', ENROLL, enrollInput()],
      ['points', EARN, earnInput()],
      ['partners', 'mutation { createPartner(input: { name: "Intruder", currency: "NOK" }) { partner { id } } }', {}],
      ['donations', 'mutation { createCharity(input: { name: "Intruder" }) { charity { id } } }', {}],
    ];
    for (const [target, query, variables] of probes) {
      for (const [name, token] of Object.entries(tokens)) {
        const result = await hub.query(query, variables, token, target);
        expect(result.errors?.[0]?.extensions?.code, `${target}: ${name}`).toBe('UNAUTHENTICATED');
        expect(result.status, `${target}: ${name}`).toBe(401);
      }
    }
    expect(await probeWrites()).toEqual({ members: 0, transactions: 0 });
    expect(await count(hub.db, 'partners.partners', 'name = $1', ['Intruder'])).toBe(0);
    expect(await count(hub.db, 'donations.charities', 'name = $1', ['Intruder'])).toBe(0);
  });

  it('ignores identity headers: a subgraph trusts only the verified token', async () => {
    const other = await hub.seed.member(partner.token);
    const response = await fetch(hub.urls.members, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${member.token}`,
        'x-member-id': other.id,
        'x-user-id': other.id,
        'x-partner-id': partner.id,
        'x-scopes': 'admin',
      },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    const body = (await response.json()) as { data: { me: { id: string } } };
    expect(body.data.me.id).toBe(member.id);
  });
});

describe('authorization', () => {
  it('refuses a member token on partner operations and an under-scoped partner token, with FORBIDDEN', async () => {
    const lookupOnly = await hub.partnerToken(partner.id, 'members:lookup');
    const cases: [string, string, string, Record<string, unknown>][] = [
      ['member token earning', member.token, EARN, earnInput()],
      ['member token enrolling', member.token, ENROLL, enrollInput()],
      ['partner without points:earn', lookupOnly, EARN, earnInput()],
      ['partner without members:enroll', lookupOnly, ENROLL, enrollInput()],
      ['partner creating a partner', partner.token, 'mutation { createPartner(input: { name: "Sneaky", currency: "NOK" }) { partner { id } } }', {}],
      ['member creating a charity', member.token, 'mutation { createCharity(input: { name: "Sneaky" }) { charity { id } } }', {}],
      ['partner suspending a partner', partner.token, 'mutation($id: ID!) { suspendPartner(input: { partnerId: $id }) { partner { id } } }', { id: partner.id }],
    ];
    for (const [name, token, query, variables] of cases) {
      const result = await hub.query(query, variables, token);
      expect(result.errors?.[0]?.extensions?.code, name).toBe('FORBIDDEN');
    }
    const reads: [string, string, string][] = [
      ['member looking up by id', member.token, `{ member(id: "${member.id}") { id } }`],
      ['partner without members:lookup', await hub.partnerToken(partner.id, 'points:earn'), `{ member(id: "${member.id}") { id } }`],
      ['partner reading me', partner.token, '{ me { id } }'],
      ['partner listing members', partner.token, '{ members { nodes { id } } }'],
    ];
    for (const [name, token, query] of reads) {
      const result = await hub.query(query, {}, token);
      expect(result.errors?.[0]?.extensions?.code, name).toBe('FORBIDDEN');
    }
    expect(await probeWrites()).toEqual({ members: 0, transactions: 0 });
    expect(await count(hub.db, 'partners.partners', 'name = $1', ['Sneaky'])).toBe(0);
    const status = await hub.db.query<{ status: string }>('SELECT status FROM partners.partners WHERE id = $1', [partner.id]);
    expect(status.rows[0].status).toBe('ACTIVE');
  });

  it("keeps a member's points and donations to the member: another member's id resolves to nothing", async () => {
    const other = await hub.seed.member(partner.token);
    const viaEntities = await hub.query<{ _entities: unknown[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { id points { balance } } } }',
      { r: [{ __typename: 'Member', id: other.id }] },
      member.token,
      'points',
    );
    expect(viaEntities.data?._entities).toEqual([null]);
    expect(viaEntities.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const own = await hub.query<{ _entities: unknown[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { id points { balance } } } }',
      { r: [{ __typename: 'Member', id: member.id }] },
      member.token,
      'points',
    );
    expect(own.data?._entities).toEqual([{ id: member.id, points: { balance: 0 } }]);
    const memberEntity = await hub.query<{ _entities: unknown[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { id email } } }',
      { r: [{ __typename: 'Member', id: other.id }] },
      member.token,
      'members',
    );
    expect(memberEntity.data?._entities).toEqual([null]);
  });

  it('shows a partner with members:lookup only the available points of a member', async () => {
    const lookup = await hub.partnerToken(partner.id, 'members:lookup');
    const available = await hub.query<{ member: { points: { available: number } } }>(`{ member(id: "${member.id}") { points { available } } }`, {}, lookup);
    expect(available.errors).toBeUndefined();
    expect(available.data?.member.points.available).toBe(0);
    for (const field of ['balance', 'pending']) {
      const refused = await hub.query(`{ member(id: "${member.id}") { points { ${field} } } }`, {}, lookup);
      expect(refused.errors?.[0]?.extensions?.code, field).toBe('FORBIDDEN');
    }
    const enrollOnly = await hub.partnerToken(partner.id, 'members:enroll');
    const enrolled = await hub.query<{ enrollMember: { member: { id: string } } }>(
      'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id points { available } } } }',
      { input: { email: `enrolled-${randomUUID()}@example.com`, displayName: 'Enrolled', idempotencyKey: randomUUID() } },
      enrollOnly,
    );
    expect(enrolled.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(enrolled.errors?.[0]?.path).toEqual(['enrollMember', 'member', 'points']);
  });
});

describe('entity representations', () => {
  it('answer a malformed id as a missing object, never as an internal error', async () => {
    const admin = await hub.admin();
    for (const [target, typename, selection] of [
      ['members', 'Member', 'id displayName'],
      ['partners', 'Partner', 'id name'],
      ['donations', 'Charity', 'id name'],
    ] as const) {
      const result = await hub.query<{ _entities: unknown[] }>(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { ${selection} } } }`,
        { r: [{ __typename: typename, id: "1' OR '1'='1" }] },
        admin,
        target,
      );
      expect(result.errors, target).toBeUndefined();
      expect(result.data?._entities, target).toEqual([null]);
    }
    const points = await hub.query<{ _entities: { points: { balance: number } }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { points { balance } } } }',
      { r: [{ __typename: 'Member', id: 'not-a-uuid' }] },
      admin,
      'points',
    );
    expect(points.errors).toBeUndefined();
    expect(points.data?._entities[0].points.balance).toBe(0);
  });
});
