import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { DEFAULT_SERVICE_AUDIENCE, DEFAULT_SERVICE_ISSUER } from '../../lib/src/service-token';

export const TEST_ISSUER = 'https://issuer.test.example';
export const TEST_AUDIENCE = 'coalition-hub-test';

interface SigningKey {
  alg: 'RS256' | 'ES256' | 'EdDSA';
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

async function makeKey(alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { alg, kid, privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, publicPem: await exportSPKI(publicKey) };
}

export interface TestKeys {
  jwksFile: string;
  /**
   * The hub's internal issuer key as a private JWK file (SERVICE_SIGNING_KEY_FILE): a key of its own, not
   * in the people's JWKS, as in a real deployment.
   */
  serviceKeyFile: string;
  service: SigningKey;
  trusted: Record<SigningKey['alg'], SigningKey>;
  /** A key the hub does not know, with a kid of its own. */
  stranger: SigningKey;
}

/** One trusted key per allowed algorithm, published in a JWKS file, plus one untrusted key. */
export async function createTestKeys(): Promise<TestKeys> {
  const [rs, es, ed, stranger, service] = await Promise.all([makeKey('RS256'), makeKey('ES256'), makeKey('EdDSA'), makeKey('ES256'), makeKey('ES256')]);
  const dir = mkdtempSync(join(tmpdir(), 'hub-test-keys-'));
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [rs.publicJwk, es.publicJwk, ed.publicJwk] }));
  const serviceKeyFile = join(dir, 'service-key.json');
  writeFileSync(serviceKeyFile, JSON.stringify({ ...(await exportJWK(service.privateKey)), kid: service.kid, alg: 'ES256' }), { mode: 0o600 });
  return { jwksFile, serviceKeyFile, service, trusted: { RS256: rs, ES256: es, EdDSA: ed }, stranger };
}

export interface TokenOptions {
  alg?: SigningKey['alg'];
  key?: SigningKey;
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  subject?: string;
  notBefore?: string | number;
  omitExp?: boolean;
}

export async function signToken(keys: TestKeys, claims: Record<string, unknown>, options: TokenOptions = {}): Promise<string> {
  const key = options.key ?? keys.trusted[options.alg ?? 'ES256'];
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuer(options.issuer ?? TEST_ISSUER)
    .setAudience(options.audience ?? TEST_AUDIENCE)
    .setSubject(options.subject ?? 'test-subject')
    .setIssuedAt();
  if (!options.omitExp) jwt = jwt.setExpirationTime(options.expiresIn ?? '10m');
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
  return jwt.sign(key.privateKey);
}

/** A service credential as a subgraph mints it: the internal issuer and audience, signed with the service key. */
export function signServiceToken(keys: TestKeys, service: string, scope: string, options: TokenOptions = {}): Promise<string> {
  return signToken(keys, { scope }, { key: keys.service, issuer: DEFAULT_SERVICE_ISSUER, audience: DEFAULT_SERVICE_AUDIENCE, subject: `${service}-service`, ...options });
}
