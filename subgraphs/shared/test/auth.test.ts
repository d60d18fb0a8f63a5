import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, requireMember, requirePartner, requireScope, type TokenVerifier } from '../src/auth';
import { AppError } from '../src/errors';
import { createTestKeys, signToken, TEST_AUDIENCE, TEST_ISSUER, type TestKeys } from '../../../test/support/keys';

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
