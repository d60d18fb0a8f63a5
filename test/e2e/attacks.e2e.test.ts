import { createHmac, randomUUID } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type SubgraphKey, type TestHub } from '../support/hub';
import { codeOf, expectSameAsMissing } from '../support/isolation';
import { ledgerClient } from '../support/ledger';
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/keys';

/**
 * The attack catalogue of issue 5: each attack is sent through the gateway and, where it applies, straight to
 * each subgraph (zero trust: a subgraph must refuse it alone). Every one is refused with a contract code, and
 * the rows it aimed at are counted before and after. Authentication basics that are not attacks (accepted
 * algorithms, lookup views) live in auth.e2e.test.ts.
 */
let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;
let partnerA: { id: string; token: string };
let partnerB: { id: string; token: string };
let member: { id: string; token: string };
let otherMember: { id: string; token: string };
let txOfA: string;
let txOfOther: string;

const SUBGRAPHS: SubgraphKey[] = ['members', 'points', 'partners', 'donations'];
const TARGETS = ['gateway', ...SUBGRAPHS] as const;
type Target = (typeof TARGETS)[number];

beforeAll(async () => {
  hub = await startHub();
  ledger = ledgerClient(hub);
  [partnerA, partnerB] = await Promise.all([hub.seed.partner({ currency: 'NOK' }), hub.seed.partner({ currency: 'NOK' })]);
  member = await hub.seed.member(partnerA.token);
  otherMember = await hub.seed.member(partnerA.token);
  txOfA = (await hub.seed.earn(partnerA.token, member.id, '500.00', 'NOK')).id;
  txOfOther = (await hub.seed.earn(partnerA.token, otherMember.id, '50.00', 'NOK')).id;
});
afterAll(async () => hub?.stop());

const urlOf = (target: Target) => (target === 'gateway' ? hub.gatewayUrl : hub.urls[target]);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ENROLL = 'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }';
const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }';
const enrollInput = () => ({ input: { email: `attack-probe-${randomUUID()}@example.com`, displayName: 'Nobody', idempotencyKey: randomUUID() } });
const earnInput = () => ({ input: { memberId: member.id, purchase: { amount: '100.00', currency: 'NOK' }, reference: 'ATTACK', idempotencyKey: randomUUID() } });

interface Raw {
  status: number;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function raw(url: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<Raw> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Raw['body'] };
}

/** What a refused probe must not have written: anything for this file's members, probes' enrollments, intruders. */
async function writes() {
  return {
    members: await count(hub.db, 'members.members', "email LIKE 'attack-probe-%'"),
    transactions: await count(hub.db, 'points.transactions', 'member_id = ANY($1)', [[member.id, otherMember.id]]),
    holds: await count(hub.db, 'points.holds', 'member_id = ANY($1)', [[member.id, otherMember.id]]),
    partners: await count(hub.db, 'partners.partners', "name LIKE 'Intruder%'"),
    charities: await count(hub.db, 'donations.charities', "name LIKE 'Intruder%'"),
    suspended: await count(hub.db, 'partners.partners', "id = ANY($1) AND status <> 'ACTIVE'", [[partnerA.id, partnerB.id]]),
  };
}

describe('forged and broken tokens', () => {
  /** Tokens that must all be refused as UNAUTHENTICATED, each built as an attacker or a broken client would. */
  async function badTokens(): Promise<Record<string, string | undefined>> {
    const claims = { scope: 'members:enroll points:earn', partner_id: partnerA.id };
    const now = Math.floor(Date.now() / 1000);
    const full = { ...claims, iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'x', exp: now + 600 };
    const rs = hub.keys.trusted.RS256;
    const es = hub.keys.trusted.ES256;
    const stranger = hub.keys.stranger;
    const hsHeader = b64({ alg: 'HS256', kid: rs.kid, typ: 'JWT' });
    const hsPayload = b64(full);
    const hsSignature = createHmac('sha256', rs.publicPem).update(`${hsHeader}.${hsPayload}`).digest('base64url');
    const signed = (header: Record<string, unknown>, key = es) =>
      new SignJWT(claims).setProtectedHeader({ alg: key.alg, ...header }).setIssuer(TEST_ISSUER).setAudience(TEST_AUDIENCE).setSubject('x').setIssuedAt().setExpirationTime('10m').sign(key.privateKey);
    return {
      'no token': undefined,
      'a malformed token': 'not-a-jwt',
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(full)}.`,
      'HS256 signed with the public key': `${hsHeader}.${hsPayload}.${hsSignature}`,
      'a tampered payload': await (async () => {
        const [h, , s] = (await hub.token(claims)).split('.');
        return `${h}.${b64({ ...full, scope: 'admin' })}.${s}`;
      })(),
      'an expired token': await hub.token(claims, { expiresIn: now - 120 }),
      'a token not valid yet': await hub.token(claims, { notBefore: now + 600 }),
      'a token without exp': await hub.token(claims, { omitExp: true }),
      'a token from the wrong issuer': await hub.token(claims, { issuer: 'https://evil.example' }),
      'a token for the wrong audience': await hub.token(claims, { audience: 'another-api' }),
      'a token signed by an unknown key (unknown kid)': await hub.token(claims, { key: stranger }),
      "a trusted kid on another key's signature": await signed({ kid: es.kid }, stranger),
      'a jku header pointing at keys of its own': await signed({ kid: es.kid, jku: 'https://evil.example/jwks.json' }),
      'an x5u header': await signed({ kid: es.kid, x5u: 'https://evil.example/cert.pem' }),
      'an embedded jwk header with its own key': await signed({ kid: stranger.kid, jwk: await exportJWK(stranger.privateKey).then(({ d: _d, ...pub }) => pub) }, stranger),
      'an x5c header': await signed({ kid: es.kid, x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] }),
    };
  }

  it('are refused with UNAUTHENTICATED (401) by the gateway and by each subgraph, and nothing is written', async () => {
    const tokens = await badTokens();
    const before = await writes();
    const probes: [Target, string, Record<string, unknown>][] = [
      ['gateway', ENROLL, enrollInput()],
      ['gateway', EARN, earnInput()],
      ['members', ENROLL, enrollInput()],
      ['points', EARN, earnInput()],
      ['partners', 'mutation { createPartner(input: { name: "Intruder", currency: "NOK" }) { partner { id } } }', {}],
      ['donations', 'mutation { createCharity(input: { name: "Intruder" }) { charity { id } } }', {}],
    ];
    for (const [target, query, variables] of probes) {
      for (const [name, token] of Object.entries(tokens)) {
        const result = await raw(urlOf(target), { query, variables }, token);
        expect(result.body.errors?.[0]?.extensions, `${target}: ${name}`).toEqual({ code: 'UNAUTHENTICATED' });
        expect(result.status, `${target}: ${name}`).toBe(401);
        expect(result.body.data ?? null, `${target}: ${name}`).toBeNull();
      }
    }
    expect(await writes()).toEqual(before);
  });
});

describe('hostile documents', () => {
  const bad = (result: Raw) => result.body.errors?.map((e) => e.extensions?.code);
  const messages = (result: Raw) => result.body.errors?.map((e) => e.message) ?? [];

  it('refuses depth bombs, alias floods, directive floods and fragment cycles with BAD_USER_INPUT, echoing no limit', async () => {
    const admin = await hub.admin();
    const depthBomb = `{ ${'me { '.repeat(40)}id${' }'.repeat(40)} }`;
    const cycle = 'query { ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }';
    for (const target of TARGETS) {
      const deep = await raw(urlOf(target), { query: depthBomb }, admin);
      expect(new Set(bad(deep)), target).toEqual(new Set(['BAD_USER_INPUT']));
      // The depth or the cost rule, whichever the server's validation reports first.
      expect(messages(deep).some((m) => /Query too (deep|costly)$/.test(m)), `${target}: ${messages(deep).join('; ')}`).toBe(true);
      const cyclic = await raw(urlOf(target), { query: cycle }, admin);
      expect(bad(cyclic)?.[0], target).toBe('BAD_USER_INPUT');
      expect(cyclic.body.data ?? null).toBeNull();
      for (const result of [deep, cyclic]) expect(result.text, target).not.toMatch(/\d+ (exceeded|tokens)|limit of/);
    }
    const directives = `{ tiers { name ${'@include(if: true) '.repeat(60)}} }`;
    for (const target of ['gateway', 'points'] as const) {
      const flood = await raw(urlOf(target), { query: directives }, admin);
      expect(messages(flood).some((m) => m.endsWith('Too many directives')), `${target}: ${messages(flood).join('; ')}`).toBe(true);
    }
  });

  it('refuses 500 aliases of a mutation, and smaller alias floods, and writes nothing', async () => {
    const before = await writes();
    const aliased = (n: number) => `mutation($input: EarnPointsInput!) { ${Array.from({ length: n }, (_, i) => `a${i}: earnPoints(input: $input) { transaction { id } }`).join(' ')} }`;
    for (const [target, n, reason] of [
      ['gateway', 500, /Too many (aliases|tokens)|too many tokens/],
      ['points', 500, /Too many (aliases|tokens)|too many tokens/],
      ['gateway', 20, /Too many aliases$/],
      ['points', 60, /Too many aliases$/],
    ] as const) {
      const result = await raw(urlOf(target), { query: aliased(n), variables: earnInput() }, partnerA.token);
      expect(bad(result)?.[0], `${target} ${n}`).toBe('BAD_USER_INPUT');
      expect(messages(result).some((m) => reason.test(m)), `${target} ${n}: ${messages(result).join('; ')}`).toBe(true);
      expect(result.body.data ?? null).toBeNull();
    }
    expect(await writes()).toEqual(before);
  });

  it('refuses 1 MB bodies with 413 before reading them, at the gateway and in each subgraph', async () => {
    const body = JSON.stringify({ query: `{ tiers { name } }${' '.repeat(1024 * 1024)}` });
    for (const target of TARGETS) {
      const result = await raw(urlOf(target), body, partnerA.token);
      expect(result.status, target).toBe(413);
      expect(result.body.errors?.[0]?.extensions, target).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    }
  });

  it('refuses batched arrays of operations, and runs none of them', async () => {
    const before = await writes();
    const batch = [
      { query: EARN, variables: earnInput() },
      { query: EARN, variables: earnInput() },
    ];
    for (const target of ['gateway', 'points'] as const) {
      const result = await raw(urlOf(target), batch, partnerA.token);
      expect(Array.isArray(result.body), target).toBe(false);
      expect(result.body.errors?.[0]?.extensions?.code, target).toBe('BAD_USER_INPUT');
    }
    for (const target of ['members', 'partners', 'donations'] as const) {
      const result = await raw(urlOf(target), [{ query: '{ __typename }' }, { query: '{ __typename }' }], partnerA.token);
      expect(result.body.errors?.[0]?.extensions?.code, target).toBe('BAD_USER_INPUT');
    }
    expect(await writes()).toEqual(before);
  });

  it('refuses a literal first: 1000000 as too costly, and clamps any first that gets through to 100 rows', async () => {
    const tag = randomUUID().slice(0, 8);
    await hub.db.query(
      "INSERT INTO donations.charities (name, name_normalized) SELECT 'Bulk ' || $1 || ' ' || g, lower('Bulk ' || $1 || ' ' || g) FROM generate_series(1, 101) g",
      [tag],
    );
    const admin = await hub.admin();
    const literal: [Target, string][] = [
      ['gateway', '{ charities(first: 1000000) { nodes { id } endCursor } }'],
      ['donations', '{ charities(first: 1000000) { nodes { id } endCursor } }'],
      ['members', '{ members(first: 1000000) { nodes { id } } }'],
      ['partners', '{ partners(first: 1000000) { nodes { id } } }'],
      ['gateway', '{ me { points { history(first: 1000000) { nodes { id } } } } }'],
    ];
    for (const [target, query] of literal) {
      const result = await raw(urlOf(target), { query }, query.includes('me {') ? member.token : admin);
      expect(result.body.errors?.[0], `${target}: ${query}`).toMatchObject({ message: expect.stringMatching(/Query too costly$/), extensions: { code: 'BAD_USER_INPUT', field: 'query' } });
    }
    // The same through a variable passes the cost rule, and the service clamps the page.
    for (const target of ['gateway', 'donations'] as const) {
      const page = await raw(urlOf(target), { query: 'query($n: Int!) { charities(first: $n) { nodes { id } endCursor } }', variables: { n: 1000000 } }, admin);
      expect(page.body.errors, `${target}: ${page.text.slice(0, 300)}`).toBeUndefined();
      const charities = page.body.data?.charities as { nodes: unknown[]; endCursor: string | null };
      expect(charities.nodes, target).toHaveLength(100);
      expect(charities.endCursor, target).not.toBeNull();
    }
    for (const [target, query, field] of [
      ['members', 'query($n: Int!) { members(first: $n) { nodes { id } } }', 'members'],
      ['partners', 'query($n: Int!) { partners(first: $n) { nodes { id } } }', 'partners'],
    ] as const) {
      const page = await raw(urlOf(target), { query, variables: { n: 1000000 } }, admin);
      expect((page.body.data?.[field] as { nodes: unknown[] }).nodes.length, target).toBeLessThanOrEqual(100);
    }
    // The largest legitimate page, the member portal's full history page, stays within every limit.
    const history = await raw(hub.gatewayUrl, { query: '{ me { displayName points { available history(first: 100) { nodes { id points reference createdAt partner { id name } } } } } }' }, member.token);
    expect(history.body.errors).toBeUndefined();
    const overflow = await raw(hub.gatewayUrl, { query: '{ charities(first: 2147483648) { nodes { id } } }' }, admin);
    expect(overflow.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
  });

  it('answers introspection and field suggestions only outside production', async () => {
    const admin = await hub.admin();
    const introspection = '{ __schema { queryType { name } } }';
    expect((await raw(hub.gatewayUrl, { query: introspection }, admin)).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });

    const production = await startHub({ subgraphs: ['members'], env: { NODE_ENV: 'production' } });
    try {
      const token = await production.admin();
      for (const url of [production.gatewayUrl, production.urls.members]) {
        for (const query of [introspection, '{ __type(name: "Member") { fields { name } } }']) {
          const result = await raw(url, { query }, token);
          expect(result.body.errors?.[0]?.extensions?.code, url).toBe('BAD_USER_INPUT');
          expect(result.body.data ?? null, url).toBeNull();
        }
        const typo = await raw(url, { query: '{ me { emai } }' }, token);
        expect(typo.body.errors?.[0]?.extensions?.code, url).toBe('BAD_USER_INPUT');
        expect(typo.text, url).not.toMatch(/Did you mean|"email"/);
      }
    } finally {
      await production.stop();
    }
  });
});

describe('identity and authorization', () => {
  const FORGED = {
    'x-partner-id': '',
    'x-member-id': '',
    'x-user-id': '',
    'x-user': '',
    'x-scopes': 'admin',
    'x-forwarded-user': 'operator',
    'x-hub-viewer': '{"scopes":["admin"]}',
  };
  const forged = (id: string) => Object.fromEntries(Object.entries(FORGED).map(([k, v]) => [k, v || id]));

  it('trusts no identity header, and no claims in the request body: only the verified token', async () => {
    const before = await writes();
    for (const target of SUBGRAPHS) {
      const anonymous = await raw(urlOf(target), { query: '{ __typename }' }, undefined, forged(partnerA.id));
      expect(anonymous.status, target).toBe(401);
      expect(anonymous.body.errors?.[0]?.extensions, target).toEqual({ code: 'UNAUTHENTICATED' });
    }
    for (const target of ['gateway', 'members'] as const) {
      const me = await raw(urlOf(target), { query: '{ me { id } }' }, member.token, forged(otherMember.id));
      expect(me.body.data?.me, target).toEqual({ id: member.id });
    }
    // The Hive JWT plugin's convention forwards claims in `extensions.jwt`; a subgraph must not read them.
    const viaExtensions = await raw(
      hub.urls.donations,
      { query: 'mutation { createCharity(input: { name: "Intruder ext" }) { charity { id } } }', extensions: { jwt: { payload: { scope: 'admin' } } } },
      member.token,
      forged(otherMember.id),
    );
    expect(viaExtensions.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await writes()).toEqual(before);
  });

  it('refuses admin operations to partner and member tokens, and any mutation to a reports:read token, with FORBIDDEN', async () => {
    const reports = await hub.partnerToken(partnerA.id, 'reports:read');
    const lookupOnly = await hub.partnerToken(partnerA.id, 'members:lookup');
    const cases: [string, string, SubgraphKey, string, Record<string, unknown>][] = [
      ['partner creating a partner', partnerA.token, 'partners', 'mutation { createPartner(input: { name: "Intruder P", currency: "NOK" }) { partner { id } } }', {}],
      ['member creating a partner', member.token, 'partners', 'mutation { createPartner(input: { name: "Intruder M", currency: "NOK" }) { partner { id } } }', {}],
      ['partner suspending a partner', partnerA.token, 'partners', 'mutation($id: ID!) { suspendPartner(input: { partnerId: $id }) { partner { id } } }', { id: partnerB.id }],
      ['member suspending a partner', member.token, 'partners', 'mutation($id: ID!) { suspendPartner(input: { partnerId: $id }) { partner { id } } }', { id: partnerB.id }],
      ['partner creating a charity', partnerA.token, 'donations', 'mutation { createCharity(input: { name: "Intruder C" }) { charity { id } } }', {}],
      ['member creating a charity', member.token, 'donations', 'mutation { createCharity(input: { name: "Intruder C2" }) { charity { id } } }', {}],
      ['partner replacing the tiers', partnerA.token, 'points', 'mutation { configureTiers(input: { tiers: [{ name: "All", threshold: 0, multiplier: "9" }] }) { tiers { name } } }', {}],
      ['member earning', member.token, 'points', EARN, earnInput()],
      ['member enrolling', member.token, 'members', ENROLL, enrollInput()],
      ['partner without points:earn earning', lookupOnly, 'points', EARN, earnInput()],
      ['partner without members:enroll enrolling', lookupOnly, 'members', ENROLL, enrollInput()],
      ['reports:read earning', reports, 'points', EARN, earnInput()],
      ['reports:read enrolling', reports, 'members', ENROLL, enrollInput()],
      ['reports:read reversing', reports, 'points', 'mutation($id: ID!) { reverseTransaction(input: { transactionId: $id, idempotencyKey: "k-rev" }) { transaction { id } } }', { id: txOfA }],
      ['reports:read creating a campaign', reports, 'points', 'mutation { createCampaign(input: { name: "Intruder", multiplier: "5", startsAt: "2020-01-01T00:00:00Z", endsAt: "2999-01-01T00:00:00Z" }) { campaign { id } } }', {}],
    ];
    const before = await writes();
    for (const [name, token, subgraph, query, variables] of cases) {
      for (const target of ['gateway', subgraph] as const) {
        const result = await raw(urlOf(target), { query, variables }, token);
        expect(result.body.errors?.[0]?.extensions?.code, `${target}: ${name} ${result.text.slice(0, 200)}`).toBe('FORBIDDEN');
      }
    }
    const reads: [string, string, SubgraphKey, string][] = [
      ['member looking a member up by id', member.token, 'members', `{ member(id: "${otherMember.id}") { id } }`],
      ['partner without members:lookup', await hub.partnerToken(partnerA.id, 'points:earn'), 'members', `{ member(id: "${member.id}") { id } }`],
      ['partner reading me', partnerA.token, 'members', '{ me { id } }'],
      ['partner listing members', partnerA.token, 'members', '{ members { nodes { id } } }'],
      ['partner checking the ledger', partnerA.token, 'points', '{ ledgerCheck { ok } }'],
    ];
    for (const [name, token, subgraph, query] of reads) {
      for (const target of ['gateway', subgraph] as const) {
        const result = await raw(urlOf(target), { query }, token);
        expect(result.body.errors?.[0]?.extensions?.code, `${target}: ${name}`).toBe('FORBIDDEN');
      }
    }
    expect(await writes()).toEqual(before);
  });

  it('refuses a redemption without points:redeem or without a valid code for that member, and writes nothing', async () => {
    const code = await ledger.code(member.token);
    const otherCode = await ledger.code(otherMember.token);
    const earnOnly = await hub.partnerToken(partnerA.id, 'points:earn members:lookup');
    const redeem = (points: number, redemptionCode: string) => ({
      input: { memberId: member.id, points, redemptionCode, reference: 'ATTACK-RDM', idempotencyKey: randomUUID() },
    });
    const REDEEM = 'mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { transaction { id } } }';
    const AUTHORIZE = 'mutation($input: AuthorizeRedemptionInput!) { authorizeRedemption(input: $input) { hold { id } } }';
    const before = await writes();
    for (const target of ['gateway', 'points'] as const) {
      for (const query of [REDEEM, AUTHORIZE]) {
        const noScope = await raw(urlOf(target), { query, variables: redeem(10, code) }, earnOnly);
        expect(noScope.body.errors?.[0]?.extensions?.code, `${target} without scope`).toBe('FORBIDDEN');
        for (const [name, wrong] of [['unknown', '00000000'], ["another member's", otherCode], ['malformed', 'x'.repeat(300)]] as const) {
          const result = await raw(urlOf(target), { query, variables: redeem(10, wrong) }, partnerA.token);
          expect(['REDEMPTION_CODE_INVALID', 'BAD_USER_INPUT'], `${target}: ${name} code ${result.text}`).toContain(result.body.errors?.[0]?.extensions?.code);
        }
      }
    }
    expect(await writes()).toEqual(before);
    // Eight wrong codes for one member passed REDEMPTION_CODE_MAX_FAILURES (5): the member's real code was
    // voided with the rest (test/e2e/redemption-lockout.e2e.test.ts), and a new one works.
    expect((await ledger.redeem(partnerA.token, member.id, 10, code)).errors?.[0]?.extensions?.code).toBe('REDEMPTION_CODE_INVALID');
    const spent = await ledger.redeem(partnerA.token, member.id, 10, await ledger.code(member.token));
    expect(spent.errors).toBeUndefined();
  });

  it("never shows or reverses another partner's transaction: by root field, nested path or _entities", async () => {
    const before = await writes();
    const missing = randomUUID();
    for (const target of ['gateway', 'points'] as const) {
      // A transaction is answered null, with no error, exactly as one that does not exist.
      const readOf = (id: string) => raw(urlOf(target), { query: `{ pointsTransaction(id: "${id}") { id points } }` }, partnerB.token);
      const read = await readOf(txOfA);
      expect(read.body, target).toEqual({ data: { pointsTransaction: null } });
      expectSameAsMissing(read, txOfA, await readOf(missing), missing, target);
      const key = randomUUID();
      const reverseOf = (id: string) => raw(urlOf(target), { query: `mutation { reverseTransaction(input: { transactionId: "${id}", idempotencyKey: "${key}-${id === txOfA ? 'a' : 'm'}" }) { transaction { id } } }` }, partnerB.token);
      const reverse = await reverseOf(txOfA);
      expect(codeOf(reverse), target).toBe('NOT_FOUND');
      expectSameAsMissing(reverse, txOfA, await reverseOf(missing), missing, target);
    }
    // Partner B made no transaction with this member: its view of the history is empty, by every path.
    const nested = await raw(hub.gatewayUrl, { query: `{ member(id: "${member.id}") { id points { history { nodes { id } } } } }` }, partnerB.token);
    expect(nested.body).toEqual({ data: { member: { id: member.id, points: { history: { nodes: [] } } } } });
    const entities = await raw(
      hub.urls.points,
      { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { points { history { nodes { id points } } } } } }', variables: { r: [{ __typename: 'Member', id: member.id }] } },
      partnerB.token,
    );
    expect(entities.body).toEqual({ data: { _entities: [{ points: { history: { nodes: [] } } }] } });
    // A forged representation carrying fields of its own changes nothing either.
    const forgedRep = await raw(
      hub.urls.points,
      { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { points { history { nodes { id } } } } } }', variables: { r: [{ __typename: 'Member', id: member.id, partnerId: partnerA.id, points: { balance: 999999 } }] } },
      partnerB.token,
    );
    expect(forgedRep.body).toEqual({ data: { _entities: [{ points: { history: { nodes: [] } } }] } });
    expect(await writes()).toEqual(before);
  });

  it("never shows another tenant's reports: statements, liability, a charity's report and receipts, and their CSV", async () => {
    const FROM = '2026-01-01T00:00:00Z';
    const TO = '2099-01-01T00:00:00Z';
    const charityA = await hub.seed.charity();
    const charityB = await hub.seed.charity();
    const asCharity = (id: string) => hub.token({ scope: 'reports:read', charity_id: id }, { subject: `charity-${id}` });
    const missing = randomUUID();
    // Each answer about the other tenant is NOT_FOUND, and the very answer about an id nothing has.
    const same = async (label: string, ask: (id: string) => Promise<Raw>, foreignId: string) => {
      const foreign = await ask(foreignId);
      expect(codeOf(foreign), label).toBe('NOT_FOUND');
      expect(foreign.body.data ?? null, label).toBeNull();
      expectSameAsMissing(foreign, foreignId, await ask(missing), missing, label);
    };
    for (const target of ['gateway', 'points'] as const) {
      await same(`${target} statement`, (id) => raw(urlOf(target), { query: `{ settlementStatement(partnerId: "${id}", from: "${FROM}", to: "${TO}") { pointsIssued } }` }, partnerB.token), partnerA.id);
      await same(`${target} liability`, (id) => raw(urlOf(target), { query: `{ pointsLiability(partnerId: "${id}", from: "${FROM}", to: "${TO}") { outstandingPoints } }` }, partnerB.token), partnerA.id);
    }
    const tokenOfB = await asCharity(charityB.id);
    for (const target of ['gateway', 'donations'] as const) {
      await same(`${target} donation report`, (id) => raw(urlOf(target), { query: `{ donationReport(from: "${FROM}", to: "${TO}", charityId: "${id}") { totalPoints } }` }, tokenOfB), charityA.id);
      await same(`${target} receipt chain`, (id) => raw(urlOf(target), { query: `{ verifyReceiptChain(charityId: "${id}") { valid } }` }, tokenOfB), charityA.id);
    }
    const csv = async (path: string, params: Record<string, string>, token: string) => {
      const url = new URL(path, hub.gatewayUrl);
      url.search = new URLSearchParams(params).toString();
      return fetch(url, { headers: { authorization: `Bearer ${token}` } });
    };
    const answer = async (response: Response) => ({ status: response.status, type: response.headers.get('content-type'), body: await response.text() });
    const statementCsv = (id: string) => csv('/reports/settlement.csv', { partnerId: id, from: FROM, to: TO }, partnerB.token).then(answer);
    const givingCsv = (id: string) => csv('/reports/giving.csv', { from: FROM, to: TO, period: 'MONTH', charityId: id }, tokenOfB).then(answer);
    for (const [name, download, foreignId] of [
      ['settlement.csv', statementCsv, partnerA.id],
      ['giving.csv', givingCsv, charityA.id],
    ] as const) {
      const foreign = await download(foreignId);
      expect(foreign.status, name).toBe(404);
      expect((JSON.parse(foreign.body) as Raw['body']).errors?.[0]?.extensions, name).toEqual({ code: 'NOT_FOUND' });
      expectSameAsMissing(foreign, foreignId, await download(missing), missing, name);
    }
  });

  it("keeps a member to themself: another member's profile, transactions and giving are out of reach", async () => {
    const missing = randomUUID();
    for (const target of ['gateway', 'points'] as const) {
      const txOf = (id: string) => raw(urlOf(target), { query: `{ pointsTransaction(id: "${id}") { id } }` }, member.token);
      const tx = await txOf(txOfOther);
      expect(tx.body, target).toEqual({ data: { pointsTransaction: null } });
      expectSameAsMissing(tx, txOfOther, await txOf(missing), missing, target);
    }
    const donationsOf = (id: string) =>
      raw(hub.urls.donations, { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { donations { id } } } }', variables: { r: [{ __typename: 'Member', id }] } }, member.token);
    const donations = await donationsOf(otherMember.id);
    expect(codeOf(donations)).toBe('FORBIDDEN');
    expect(donations.body.data).toEqual({ _entities: [null] });
    expectSameAsMissing(donations, otherMember.id, await donationsOf(missing), missing, 'donations');
    const profileOf = (id: string) => raw(hub.gatewayUrl, { query: `{ member(id: "${id}") { id } }` }, member.token);
    const profile = await profileOf(otherMember.id);
    expect(codeOf(profile)).toBe('FORBIDDEN');
    expect(profile.body.data ?? null).toBeNull();
    expectSameAsMissing(profile, otherMember.id, await profileOf(missing), missing, 'profile');
    const byCard = await raw(hub.gatewayUrl, { query: '{ memberByCard(cardNumber: "0000000000000000") { id } }' }, member.token);
    expect(codeOf(byCard)).toBe('FORBIDDEN');
  });

  it("answers a partner's _entities for a member straight to the members and donations subgraphs as for a missing member", async () => {
    const missing = randomUUID();
    const entities = (target: SubgraphKey, selection: string, token: string) => (id: string) =>
      raw(urlOf(target), { query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { ${selection} } } }`, variables: { r: [{ __typename: 'Member', id }] } }, token);
    // Members: a partner without members:lookup sees nothing of any member, exactly as of one that does not exist.
    const noLookup = entities('members', 'id displayName email', await hub.partnerToken(partnerB.id, 'points:earn points:redeem'));
    const hidden = await noLookup(member.id);
    expect(hidden.body).toEqual({ data: { _entities: [null] } });
    expectSameAsMissing(hidden, member.id, await noLookup(missing), missing, 'members without lookup');
    // With members:lookup, partner B sees the member but not the personal data partner A enrolled.
    const lookup = await entities('members', 'id email', partnerB.token)(member.id);
    expect(lookup.body).toEqual({ data: { _entities: [{ id: member.id, email: null }] } });
    // Donations: a member's giving, donations and cause are the member's and the admin's only.
    for (const [selection, refused] of [
      ['donations { id }', null],
      ['giving { donations donatedPoints }', null],
      ['cause { id }', { cause: null }], // nullable: the error nulls the field, not the member
    ] as const) {
      for (const [name, token] of [
        ['partner B', partnerB.token],
        ['partner A, which enrolled the member', partnerA.token],
      ] as const) {
        const ask = entities('donations', selection, token);
        const foreign = await ask(member.id);
        expect(codeOf(foreign), `${name}: ${selection}`).toBe('FORBIDDEN');
        expect(foreign.body.data, `${name}: ${selection}`).toEqual({ _entities: [refused] });
        expectSameAsMissing(foreign, member.id, await ask(missing), missing, `${name}: ${selection}`);
      }
    }
  });
});

describe('a failing database', () => {
  let broken: TestHub;
  beforeAll(async () => {
    broken = await startHub({ isolatedDatabase: true });
  });
  afterAll(async () => broken?.stop());

  const LEAKS = /SELECT|INSERT|relation|does not exist|charities_gone|secret_marker_7f|points\.|donations\.|\.ts:|at \w+ \(|QueryFailedError|stack/;

  it('answers INTERNAL with a request id and no SQL, stack or table name, through the gateway and directly, and writes nothing', async () => {
    const partner = await broken.seed.partner({ currency: 'NOK' });
    const m = await broken.seed.member(partner.token);
    await broken.db.query('ALTER TABLE donations.charities RENAME TO charities_gone');
    await broken.db.query(`CREATE FUNCTION points.explode() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'secret_marker_7f in points.transactions'; END $$`);
    await broken.db.query('CREATE TRIGGER explode BEFORE INSERT ON points.transactions FOR EACH ROW EXECUTE FUNCTION points.explode()');

    const admin = await broken.admin();
    const probes: [string, string, string, Record<string, unknown>][] = [
      ['gateway read', broken.gatewayUrl, '{ charities { nodes { id } } }', {}],
      ['subgraph read', broken.urls.donations, '{ charities { nodes { id } } }', {}],
      ['gateway write', broken.gatewayUrl, EARN, { input: { memberId: m.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'R', idempotencyKey: randomUUID() } }],
      ['subgraph write', broken.urls.points, EARN, { input: { memberId: m.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'R', idempotencyKey: randomUUID() } }],
    ];
    for (const [name, url, query, variables] of probes) {
      const requestId = `attack-${randomUUID()}`;
      const token = query === EARN ? partner.token : admin;
      const result = await raw(url, { query, variables }, token, { 'x-request-id': requestId });
      expect(result.body.errors?.[0], name).toMatchObject({ message: 'Internal error', extensions: { code: 'INTERNAL', requestId } });
      expect(Object.keys(result.body.errors![0].extensions!).sort(), name).toEqual(['code', 'requestId']);
      expect(result.text, name).not.toMatch(LEAKS);
    }
    expect(await count(broken.db, 'points.transactions', 'member_id = $1', [m.id])).toBe(0);
  });
});

