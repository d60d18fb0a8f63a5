import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, requireMember, requirePartner, requireScope, type TokenVerifier } from '../src/auth';
import { authEnv, ConfigError, parseEnv } from '../src/env';
import { AppError } from '../src/errors';
import { DEFAULT_SERVICE_AUDIENCE, DEFAULT_SERVICE_ISSUER, loadServiceKeys, requireService } from '../src/service-token';
import { startSubgraph } from '../src/subgraph';
import { donationsSubgraph } from '../../subgraphs/donations/src/subgraph';
import { pointsSubgraph } from '../../subgraphs/points/src/subgraph';
import { createTestKeys, signServiceToken, signToken, TEST_AUDIENCE, TEST_ISSUER, type TestKeys } from '../../test/support/keys';

let keys: TestKeys;
let jwksServer: Server;
let jwksUrl: string;
let fetches = 0;
let remote: TokenVerifier;
let local: TokenVerifier;

beforeAll(async () => {
  keys = await createTestKeys();
  jwksServer = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [keys.trusted.RS256.publicJwk, keys.trusted.ES256.publicJwk, keys.trusted.EdDSA.publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  remote = createTokenVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksUrl });
  local = createTokenVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksFile: keys.jwksFile });
});
afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

async function refusal(verifier: TokenVerifier, header: string | undefined): Promise<string | undefined> {
  try {
    await verifier.verify(header);
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

describe('token verification', () => {
  it('verifies against a remote JWKS, fetched once and then cached', async () => {
    const partnerId = randomUUID();
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const viewer = await remote.verify(`Bearer ${await signToken(keys, { scope: 'points:earn members:lookup', partner_id: partnerId }, { alg })}`);
      expect(viewer).toMatchObject({ subject: 'test-subject', partnerId });
      expect([...viewer.scopes].sort()).toEqual(['members:lookup', 'points:earn']);
    }
    expect(fetches).toBe(1);
    expect(await refusal(remote, `Bearer ${await signToken(keys, { scope: 'admin' }, { key: keys.stranger })}`)).toBe('UNAUTHENTICATED');
  });

  it('allows at most 30 seconds of clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(local, `Bearer ${await signToken(keys, { scope: 'admin' }, { expiresIn: now - 20 })}`)).toBeUndefined();
    expect(await refusal(local, `Bearer ${await signToken(keys, { scope: 'admin' }, { expiresIn: now - 40 })}`)).toBe('UNAUTHENTICATED');
    expect(await refusal(local, `Bearer ${await signToken(keys, { scope: 'admin' }, { notBefore: now + 20 })}`)).toBeUndefined();
    expect(await refusal(local, `Bearer ${await signToken(keys, { scope: 'admin' }, { notBefore: now + 40 })}`)).toBe('UNAUTHENTICATED');
  });

  it('refuses malformed identity claims and headers that point at other keys', async () => {
    const cases: Record<string, string> = {
      'two identities': await signToken(keys, { scope: 'member', member_id: randomUUID(), partner_id: randomUUID() }),
      'partner_id not an id': await signToken(keys, { scope: 'points:earn', partner_id: "1' OR '1'='1" }),
      'scope not a string': await signToken(keys, { scope: ['admin'] }),
      'empty subject': await signToken(keys, { scope: 'admin' }, { subject: '' }),
    };
    for (const [name, token] of Object.entries(cases)) expect(await refusal(local, `Bearer ${token}`), name).toBe('UNAUTHENTICATED');
    const [, payload, signature] = (await signToken(keys, { scope: 'admin' })).split('.');
    for (const extra of [{ jku: 'https://evil.example/jwks' }, { x5u: 'https://evil.example/cert' }, { jwk: keys.stranger.publicJwk }]) {
      const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: keys.trusted.ES256.kid, ...extra })).toString('base64url');
      expect(await refusal(local, `Bearer ${header}.${payload}.${signature}`), Object.keys(extra)[0]).toBe('UNAUTHENTICATED');
    }
    for (const header of [undefined, '', 'Basic abc', 'Bearer', 'bearer x.y.z extra']) expect(await refusal(local, header), String(header)).toBe('UNAUTHENTICATED');
  });

  it('applies scope rules: admin passes everything, partners and members only their own kind', async () => {
    const partnerId = randomUUID();
    const admin = await local.verify(`Bearer ${await signToken(keys, { scope: 'admin' })}`);
    const partner = await local.verify(`Bearer ${await signToken(keys, { scope: 'points:earn', partner_id: partnerId })}`);
    const member = await local.verify(`Bearer ${await signToken(keys, { scope: 'member', member_id: randomUUID() })}`);
    expect(() => requireScope(admin, 'members:lookup')).not.toThrow();
    expect(() => requireScope(partner, 'members:lookup')).toThrow(AppError);
    expect(requirePartner(partner, 'points:earn')).toBe(partnerId);
    expect(() => requirePartner(partner, 'points:redeem')).toThrow(/points:redeem/);
    expect(() => requirePartner(member, 'points:earn')).toThrow(AppError);
    expect(() => requireMember(partner)).toThrow(AppError);
    expect(requireMember(member)).toBe(member.memberId);
  });
});

describe('token edge cases', () => {
  it('refuses a token issued in the future and accepts any case of the Bearer scheme', async () => {
    const now = Math.floor(Date.now() / 1000);
    const future = await new (await import('jose')).SignJWT({ scope: 'admin' })
      .setProtectedHeader({ alg: 'ES256', kid: keys.trusted.ES256.kid })
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setSubject('s')
      .setIssuedAt(now + 120)
      .setExpirationTime(now + 600)
      .sign(keys.trusted.ES256.privateKey);
    expect(await refusal(local, `Bearer ${future}`)).toBe('UNAUTHENTICATED');
    const token = await signToken(keys, { scope: 'admin' });
    expect(await refusal(local, `bearer ${token}`)).toBeUndefined();
    expect(await refusal(local, `BEARER ${token}`)).toBeUndefined();
  });
});

describe('verified-token cache', () => {
  it('checks a signature once per period, still refuses the token once it expires, and can be turned off', async () => {
    const counting = createTokenVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksFile: keys.jwksFile, clockTolerance: 0, verifiedCacheMs: 60_000 });
    const uncached = createTokenVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksFile: keys.jwksFile, clockTolerance: 0, verifiedCacheMs: 0 });
    const token = await signToken(keys, { scope: 'admin' }, { expiresIn: '2s' });
    // A tampered copy of a cached token is a different string: verified, and refused.
    const [head, body, signature] = token.split('.');
    const tampered = `${head}.${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const first = await counting.verify(`Bearer ${token}`);
    const second = await counting.verify(`Bearer ${token}`);
    expect(second).toEqual(first);
    expect(second).not.toBe(first); // a fresh viewer object per request, even from the cache
    expect(counting.signatureChecks).toBe(1);
    expect(await refusal(counting, `Bearer ${tampered}`)).toBe('UNAUTHENTICATED');
    expect(counting.signatureChecks).toBe(2);
    await uncached.verify(`Bearer ${token}`);
    await uncached.verify(`Bearer ${token}`);
    expect(uncached.signatureChecks).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await refusal(counting, `Bearer ${token}`)).toBe('UNAUTHENTICATED');
  });
});

describe('claims from real identity providers', () => {
  it('reads scopes from scope (a string) and scp (a string or an array), and refuses any other shape', async () => {
    const partnerId = randomUUID();
    const scopesOf = async (claims: Record<string, unknown>) => [...(await local.verify(`Bearer ${await signToken(keys, { partner_id: partnerId, ...claims })}`)).scopes].sort();
    expect(await scopesOf({ scp: 'points:earn members:lookup' })).toEqual(['members:lookup', 'points:earn']); // Entra ID
    expect(await scopesOf({ scp: ['points:earn', 'members:lookup'] })).toEqual(['members:lookup', 'points:earn']); // Okta
    expect(await scopesOf({ scope: 'points:earn', scp: ['reports:read'] })).toEqual(['points:earn', 'reports:read']);
    expect(await refusal(local, `Bearer ${await signToken(keys, { scp: [1, 2] })}`)).toBe('UNAUTHENTICATED');
    expect(await refusal(local, `Bearer ${await signToken(keys, { scp: { a: 1 } })}`)).toBe('UNAUTHENTICATED');
  });

  it('takes the claim names of scopes and tenant ids from configuration (a Keycloak or Entra ID mapping)', async () => {
    const partnerId = randomUUID();
    const entra = createTokenVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksFile: keys.jwksFile,
      claims: { scopes: ['roles'], partnerId: 'extension_partnerId', memberId: 'extension_memberId', charityId: 'extension_charityId' },
    });
    const viewer = await entra.verify(`Bearer ${await signToken(keys, { roles: ['points:earn'], scope: 'admin', extension_partnerId: partnerId, partner_id: randomUUID() })}`);
    // Only the configured claims count: `scope` and `partner_id` are just other claims here.
    expect(viewer.partnerId).toBe(partnerId);
    expect([...viewer.scopes]).toEqual(['points:earn']);
    expect(await refusal(entra, `Bearer ${await signToken(keys, { extension_partnerId: 'not-a-uuid' })}`)).toBe('UNAUTHENTICATED');
  });

  it('never carries internal scopes on a token from the people\'s issuer', async () => {
    const viewer = await local.verify(`Bearer ${await signToken(keys, { scope: 'ledger:donate pledges:record points:earn' }, { subject: 'donations-service' })}`);
    expect([...viewer.scopes]).toEqual(['points:earn']);
    expect(viewer.service).toBeUndefined();
  });
});

describe('service credentials from the hub\'s internal issuer', () => {
  const verifier = () =>
    createTokenVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksFile: keys.jwksFile,
      service: { issuer: DEFAULT_SERVICE_ISSUER, audience: DEFAULT_SERVICE_AUDIENCE, keys: { keys: [keys.service.publicJwk] } },
    });

  it('verifies a service credential with the internal key only, as a service viewer with its internal scope', async () => {
    const viewer = await verifier().verify(`Bearer ${await signServiceToken(keys, 'donations', 'ledger:donate')}`);
    expect(viewer).toMatchObject({ subject: 'donations-service', service: true });
    expect([...viewer.scopes]).toEqual(['ledger:donate']);
    // Signed by a key of the people's issuer, or naming the people's issuer: refused.
    expect(await refusal(verifier(), `Bearer ${await signServiceToken(keys, 'donations', 'ledger:donate', { key: keys.trusted.ES256 })}`)).toBe('UNAUTHENTICATED');
    expect(await refusal(verifier(), `Bearer ${await signServiceToken(keys, 'donations', 'ledger:donate', { issuer: TEST_ISSUER, audience: TEST_AUDIENCE })}`)).toBe('UNAUTHENTICATED');
    // The wrong audience, a public scope, a tenant claim or a subject that is no service: refused.
    expect(await refusal(verifier(), `Bearer ${await signServiceToken(keys, 'donations', 'ledger:donate', { audience: TEST_AUDIENCE })}`)).toBe('UNAUTHENTICATED');
    expect(await refusal(verifier(), `Bearer ${await signServiceToken(keys, 'donations', 'ledger:donate admin')}`)).toBe('UNAUTHENTICATED');
    expect(await refusal(verifier(), `Bearer ${await signToken(keys, { scope: 'ledger:donate', member_id: randomUUID() }, { key: keys.service, issuer: DEFAULT_SERVICE_ISSUER, audience: DEFAULT_SERVICE_AUDIENCE, subject: 'donations-service' })}`)).toBe('UNAUTHENTICATED');
    expect(await refusal(verifier(), `Bearer ${await signServiceToken(keys, 'donations', 'ledger:donate', { subject: 'local-admin' })}`)).toBe('UNAUTHENTICATED');
  });

  it('is not trusted by a verifier without the internal issuer (the gateway)', async () => {
    expect(await refusal(local, `Bearer ${await signServiceToken(keys, 'donations', 'ledger:donate')}`)).toBe('UNAUTHENTICATED');
  });

  it('requireService accepts only that service\'s credential with that scope', async () => {
    const service = await verifier().verify(`Bearer ${await signServiceToken(keys, 'donations', 'ledger:donate')}`);
    expect(() => requireService(service, 'donations', 'ledger:donate')).not.toThrow();
    expect(() => requireService(service, 'points', 'ledger:donate')).toThrow(AppError);
    expect(() => requireService(service, 'donations', 'pledges:record')).toThrow(AppError);
    // The same subject and scope from the people's issuer are no service credential.
    const lookalike = await verifier().verify(`Bearer ${await signToken(keys, { scope: 'ledger:donate' }, { subject: 'donations-service' })}`);
    expect(() => requireService({ ...lookalike, scopes: new Set(['ledger:donate']) }, 'donations', 'ledger:donate')).toThrow(AppError);
  });
});

describe('the internal issuer\'s key in configuration', () => {
  const base = { AUTH_ISSUER: TEST_ISSUER, SERVICE_ISSUER: DEFAULT_SERVICE_ISSUER, SERVICE_AUDIENCE: DEFAULT_SERVICE_AUDIENCE };
  const message = (fn: () => unknown) => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return error instanceof ConfigError ? error.message : 'not a ConfigError';
    }
  };

  it('loads a private JWK from a file or a value, and names the variable when it cannot', () => {
    expect(loadServiceKeys(base)).toBeNull();
    const fromFile = loadServiceKeys({ ...base, SERVICE_SIGNING_KEY_FILE: keys.serviceKeyFile })!;
    expect(fromFile.trust.keys.keys).toHaveLength(1);
    expect(fromFile.trust.keys.keys[0]).not.toHaveProperty('d');
    expect(fromFile.trust.keys.keys[0].kid).toBe(keys.service.kid);
    expect(loadServiceKeys({ ...base, SERVICE_SIGNING_KEY: readFileSync(keys.serviceKeyFile, 'utf8') })!.signingKey.kid).toBe(keys.service.kid);
    expect(message(() => loadServiceKeys({ ...base, SERVICE_SIGNING_KEY_FILE: '/nonexistent/key.json' }))).toMatch(/SERVICE_SIGNING_KEY_FILE: cannot read .* \(ENOENT\)/);
    expect(message(() => loadServiceKeys({ ...base, SERVICE_SIGNING_KEY: '{nope' }))).toMatch(/SERVICE_SIGNING_KEY: not valid JSON/);
    expect(message(() => loadServiceKeys({ ...base, SERVICE_SIGNING_KEY: JSON.stringify(keys.service.publicJwk) }))).toMatch(/SERVICE_SIGNING_KEY: must be a private JWK/);
    expect(message(() => loadServiceKeys({ ...base, SERVICE_ISSUER: TEST_ISSUER, SERVICE_SIGNING_KEY_FILE: keys.serviceKeyFile }))).toMatch(/SERVICE_ISSUER: must differ from AUTH_ISSUER/);
  });

  it('trusts the keys of SERVICE_JWKS_FILE too, for a key being rotated out', () => {
    const loaded = loadServiceKeys({ ...base, SERVICE_SIGNING_KEY_FILE: keys.serviceKeyFile, SERVICE_JWKS_FILE: keys.jwksFile })!;
    expect(loaded.trust.keys.keys.map((k) => k.kid).sort()).toEqual([keys.service.kid, keys.trusted.RS256.kid, keys.trusted.ES256.kid, keys.trusted.EdDSA.kid].sort());
  });

  it('a subgraph that serves or calls internal operations refuses to start without the key, naming the variable', async () => {
    const env = { AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, AUTH_JWKS_FILE: keys.jwksFile, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', NODE_ENV: 'test' };
    for (const definition of [pointsSubgraph, donationsSubgraph]) {
      await expect(startSubgraph(definition as never, env)).rejects.toThrow(/SERVICE_SIGNING_KEY_FILE \(or SERVICE_SIGNING_KEY\): the (points|donations) subgraph needs/);
    }
  });
});

describe('the JWKS URL in configuration', () => {
  it('refuses a port fetch refuses (every token would fail as "Invalid token"), naming the variable', () => {
    const env = (url: string) => () => parseEnv(authEnv, { AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, AUTH_JWKS_URL: url });
    expect(env('http://127.0.0.1:4190/jwks')).toThrow(/AUTH_JWKS_URL: its port is on the Fetch standard's list of blocked ports/);
    expect(env('http://127.0.0.1:6000/jwks')).toThrow(ConfigError);
    expect(env('http://127.0.0.1:4191/jwks')().AUTH_JWKS_URL).toBe('http://127.0.0.1:4191/jwks');
    expect(env('https://idp.example.com/jwks')().AUTH_JWKS_URL).toBe('https://idp.example.com/jwks');
  });
});
