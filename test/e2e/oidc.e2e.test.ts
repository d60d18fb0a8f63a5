import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';

/**
 * A real OAuth2/OIDC server as the issuer: node-oidc-provider (certified OpenID provider) issues JWT access
 * tokens by the client-credentials grant, for one resource (our audience), with RFC 9068 claims plus
 * `partner_id`. The hub knows nothing about it but its issuer, its JWKS URL and the audience.
 */
const AUDIENCE = 'https://hub.coalition.example/graphql';
const PARTNER_SCOPES = 'points:earn members:lookup';
const CLIENTS = {
  operator: { secret: `operator-${randomUUID()}`, scope: 'admin' },
  'nordic-till': { secret: `till-${randomUUID()}`, scope: PARTNER_SCOPES },
  // A member's app; in production a person signs in (authorization code), here the grant is simpler.
  'member-app': { secret: `member-${randomUUID()}`, scope: 'member' },
  // A person who is not a member yet: may sign up, and afterwards acts as the member (subject = client id).
  'person-app': { secret: `person-${randomUUID()}`, scope: 'member:signup member' },
} as const;
type ClientId = keyof typeof CLIENTS;

interface SigningKey {
  kid: string;
  jwk: JWK;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, jwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}

/** The partner each client acts for, put into its tokens as `partner_id`; set once the partner exists. */
const partnerOfClient = new Map<string, string>();
/** The member a client is, put into its tokens as `member_id`. */
const memberOfClient = new Map<string, string>();

// oidc-provider is ESM-only: loaded here, inside the test, so the CommonJS build of the hub is unaffected.
type ProviderModule = typeof import('oidc-provider');
let oidc: ProviderModule;

/** A provider publishing `published` and signing access tokens with `signingKid`. */
function makeProvider(issuer: string, published: SigningKey[], signingKid: string) {
  const { default: Provider, errors } = oidc;
  return new Provider(issuer, {
    clients: Object.entries(CLIENTS).map(([id, c]) => ({
      client_id: id,
      client_secret: c.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: c.scope,
      id_token_signed_response_alg: 'ES256',
    })),
    jwks: { keys: published.map((k) => k.jwk) },
    ttl: { ClientCredentials: 300 },
    scopes: ['admin', 'points:earn', 'points:redeem', 'points:reverse', 'members:enroll', 'members:lookup', 'reports:read', 'member', 'member:signup'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        getResourceServerInfo: (_ctx, resource, client) => {
          if (resource !== AUDIENCE) throw new errors.InvalidTarget();
          return {
            // Each client gets at most its registered scopes for this resource.
            scope: CLIENTS[client.clientId as ClientId]?.scope ?? '',
            audience: AUDIENCE,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256', kid: signingKid } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const clientId = (token as { clientId?: string }).clientId ?? '';
      const partnerId = partnerOfClient.get(clientId);
      const memberId = memberOfClient.get(clientId);
      return partnerId ? { partner_id: partnerId } : memberId ? { member_id: memberId } : undefined;
    },
  });
}

let server: Server;
let issuer: string;
let current: ReturnType<typeof makeProvider>;
let discovery: { token_endpoint: string; jwks_uri: string };
let hub: TestHub;
const oldKey = { value: undefined as SigningKey | undefined };

function requestToken(clientId: ClientId, scope: string): Promise<Response> {
  return fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${CLIENTS[clientId].secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: AUDIENCE }),
  });
}

async function clientToken(clientId: ClientId, scope: string): Promise<string> {
  const response = await requestToken(clientId, scope);
  const body = (await response.json()) as { access_token?: string; token_type?: string; error?: string };
  expect(body.error, JSON.stringify(body)).toBeUndefined();
  expect(body.token_type).toBe('Bearer');
  return body.access_token!;
}

beforeAll(async () => {
  oidc = await import('oidc-provider');
  // One listening socket; the provider behind it can be swapped, as a real server is redeployed with a new keystore.
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void current.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  oldKey.value = await newKey();
  current = makeProvider(issuer, [oldKey.value], oldKey.value.kid);
  discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as typeof discovery;

  hub = await startHub({
    env: {
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URL: discovery.jwks_uri,
      AUTH_JWKS_FILE: '', // the harness's own keys are not trusted here
      AUTH_JWKS_COOLDOWN_MS: '1000',
      // The subgraphs' service credentials still come from the hub's own key (the harness's
      // SERVICE_SIGNING_KEY_FILE), which this provider knows nothing of.
    },
  });
});

afterAll(async () => {
  await hub?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }';

describe('a partner system with tokens from a standard OAuth2 server (oidc-provider, client credentials)', () => {
  let partnerId: string;
  let memberId: string;

  it('gets a JWT access token for the hub and earns points through the gateway', async () => {
    const admin = await clientToken('operator', 'admin');
    const created = await hub.must<{ createPartner: { partner: { id: string } } }>(
      'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
      { input: { name: `OIDC Grocer ${randomUUID()}`, currency: 'NOK', earnRate: '1' } },
      admin,
    );
    partnerId = created.createPartner.partner.id;
    const enrolled = await hub.must<{ enrollMember: { member: { id: string } } }>(
      'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }',
      { input: { email: `oidc-${randomUUID()}@example.com`, displayName: 'Oidc Member', idempotencyKey: randomUUID() } },
      admin,
    );
    memberId = enrolled.enrollMember.member.id;

    partnerOfClient.set('nordic-till', partnerId);
    const token = await clientToken('nordic-till', PARTNER_SCOPES);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: oldKey.value!.kid, typ: 'at+jwt' });
    expect(decodeJwt(token)).toMatchObject({ iss: issuer, aud: AUDIENCE, sub: 'nordic-till', client_id: 'nordic-till', scope: PARTNER_SCOPES, partner_id: partnerId });

    const earn = await hub.query<{ earnPoints: { transaction: { points: number } } }>(
      EARN,
      { input: { memberId, purchase: { amount: '120.00', currency: 'NOK' }, reference: 'OIDC-1', idempotencyKey: randomUUID() } },
      token,
    );
    expect(earn.errors).toBeUndefined();
    expect(earn.data?.earnPoints.transaction.points).toBe(120);
    const lookup = await hub.query<{ member: { id: string; points: { available: number } } }>(`{ member(id: "${memberId}") { id points { available } } }`, {}, token);
    expect(lookup.data?.member).toEqual({ id: memberId, points: { available: 120 } });

    // The provider grants only registered scopes: the till cannot obtain admin, and a scope it lacks is refused by the hub.
    const noEnroll = await hub.query('mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }', {
      input: { email: `oidc-${randomUUID()}@example.com`, displayName: 'Nope', idempotencyKey: randomUUID() },
    }, token);
    expect(noEnroll.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const greedy = await requestToken('nordic-till', `${PARTNER_SCOPES} admin`);
    expect(greedy.status).toBe(400);
    expect(await greedy.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('accepts tokens signed with a rotated-in key once the provider publishes it, and old tokens until they expire', async () => {
    const before = await clientToken('nordic-till', PARTNER_SCOPES);
    // Rotation: the provider publishes the new key next to the old one and signs with the new one.
    const newer = await newKey();
    current = makeProvider(issuer, [newer, oldKey.value!], newer.kid);
    // Each hub process refetches the JWKS for an unknown kid once its cooldown (1 s here, 30 s by default) has passed.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const after = await clientToken('nordic-till', PARTNER_SCOPES);
    expect(decodeProtectedHeader(after).kid).toBe(newer.kid);

    for (const [name, token] of [['new key', after], ['old key', before]] as const) {
      const earn = await hub.query<{ earnPoints: { transaction: { points: number } } }>(
        EARN,
        { input: { memberId, purchase: { amount: '10.00', currency: 'NOK' }, reference: `OIDC-${name}`, idempotencyKey: randomUUID() } },
        token,
      );
      expect(earn.errors, name).toBeUndefined();
      expect(earn.data?.earnPoints.transaction.points, name).toBe(10);
    }
  });
});

describe('a member with tokens from the same OAuth2 server gives points to a charity', () => {
  it('donates, and the donation is confirmed with its receipt: the internal posting needs nothing from the IdP', async () => {
    const admin = await clientToken('operator', 'admin');
    const partner = await hub.must<{ createPartner: { partner: { id: string } } }>(
      'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
      { input: { name: `OIDC Giver Grocer ${randomUUID()}`, currency: 'NOK', earnRate: '1' } },
      admin,
    );
    partnerOfClient.set('nordic-till', partner.createPartner.partner.id);
    const member = await hub.must<{ enrollMember: { member: { id: string } } }>(
      'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }',
      { input: { email: `oidc-giver-${randomUUID()}@example.com`, displayName: 'Oidc Giver', idempotencyKey: randomUUID() } },
      admin,
    );
    const memberId = member.enrollMember.member.id;
    const till = await clientToken('nordic-till', PARTNER_SCOPES);
    const earn = await hub.query(EARN, { input: { memberId, purchase: { amount: '300.00', currency: 'NOK' }, reference: 'OIDC-GIVE', idempotencyKey: randomUUID() } }, till);
    expect(earn.errors).toBeUndefined();
    const charity = await hub.must<{ createCharity: { charity: { id: string } } }>(
      'mutation($input: CreateCharityInput!) { createCharity(input: $input) { charity { id } } }',
      { input: { name: `OIDC Cause ${randomUUID()}` } },
      admin,
    );

    memberOfClient.set('member-app', memberId);
    const own = await clientToken('member-app', 'member');
    expect(decodeJwt(own)).toMatchObject({ iss: issuer, member_id: memberId, scope: 'member' });
    const donated = await hub.query<{ donatePoints: { donation: { status: string; receiptId: string; points: number } } }>(
      'mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { status receiptId points } } }',
      { input: { charityId: charity.createCharity.charity.id, points: 120, idempotencyKey: randomUUID() } },
      own,
    );
    expect(donated.errors).toBeUndefined();
    expect(donated.data?.donatePoints.donation).toMatchObject({ status: 'CONFIRMED', points: 120 });
    expect(donated.data?.donatePoints.donation.receiptId).toMatch(/^R-/);
    const mine = await hub.must<{ me: { points: { balance: number }; donations: { status: string; receipt: { points: string } | null }[] } }>(
      '{ me { points { balance } donations { status receipt { points } } } }',
      {},
      own,
    );
    expect(mine.me).toEqual({ points: { balance: 180 }, donations: [{ status: 'CONFIRMED', receipt: { points: '120' } }] });
  });
});

describe('a person signs up with a token from the same OAuth2 server, then acts as the member without a member_id claim', () => {
  it('signs up (member:signup), reads me with a member token, earns through a partner and donates', async () => {
    const signup = await clientToken('person-app', 'member:signup');
    const claims = decodeJwt(signup);
    expect(claims).toMatchObject({ iss: issuer, sub: 'person-app', scope: 'member:signup' });
    expect(claims.member_id).toBeUndefined();
    const email = `oidc-person-${randomUUID()}@example.com`;
    const joined = await hub.query<{ signUp: { member: { id: string; email: string } } }>(
      'mutation($input: SignUpInput!) { signUp(input: $input) { member { id email } } }',
      { input: { email, displayName: 'Oidc Person', consents: { termsVersion: '2026-01', marketing: false, partnerDataSharing: false }, idempotencyKey: randomUUID() } },
      signup,
    );
    expect(joined.errors).toBeUndefined();
    const memberId = joined.data!.signUp.member.id;
    expect(joined.data?.signUp.member.email).toBe(email);
    const again = await hub.query('mutation($input: SignUpInput!) { signUp(input: $input) { member { id } } }', {
      input: { email: `oidc-again-${randomUUID()}@example.com`, displayName: 'Again', consents: { termsVersion: '2026-01', marketing: false, partnerDataSharing: false }, idempotencyKey: randomUUID() },
    }, signup);
    expect(again.errors?.[0]?.extensions?.code).toBe('ALREADY_MEMBER');

    // The provider knows nothing of the hub's member ids: the member token carries only the person's subject.
    const own = await clientToken('person-app', 'member');
    expect(decodeJwt(own)).toMatchObject({ iss: issuer, sub: 'person-app', scope: 'member' });
    expect(decodeJwt(own).member_id).toBeUndefined();
    const me = await hub.query<{ me: { id: string; email: string } }>('{ me { id email } }', {}, own);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toEqual({ id: memberId, email });

    const admin = await clientToken('operator', 'admin');
    const partner = await hub.must<{ createPartner: { partner: { id: string } } }>(
      'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
      { input: { name: `OIDC Signup Grocer ${randomUUID()}`, currency: 'NOK', earnRate: '1' } },
      admin,
    );
    partnerOfClient.set('nordic-till', partner.createPartner.partner.id);
    const till = await clientToken('nordic-till', PARTNER_SCOPES);
    const earn = await hub.query(EARN, { input: { memberId, purchase: { amount: '200.00', currency: 'NOK' }, reference: 'OIDC-SIGNUP', idempotencyKey: randomUUID() } }, till);
    expect(earn.errors).toBeUndefined();
    const charity = await hub.must<{ createCharity: { charity: { id: string } } }>(
      'mutation($input: CreateCharityInput!) { createCharity(input: $input) { charity { id } } }',
      { input: { name: `OIDC Signup Cause ${randomUUID()}` } },
      admin,
    );
    const donated = await hub.query<{ donatePoints: { donation: { status: string; points: number } } }>(
      'mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { status points } } }',
      { input: { charityId: charity.createCharity.charity.id, points: 50, idempotencyKey: randomUUID() } },
      own,
    );
    expect(donated.errors).toBeUndefined();
    expect(donated.data?.donatePoints.donation).toEqual({ status: 'CONFIRMED', points: 50 });
    const after = await hub.must<{ me: { points: { balance: number }; donations: { points: number }[] } }>('{ me { points { balance } donations { points } } }', {}, own);
    expect(after.me).toEqual({ points: { balance: 150 }, donations: [{ points: 50 }] });
  });
});
