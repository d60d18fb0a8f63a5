import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/** The issuer and audience the hub trusts when it signs its own tokens (no AUTH_* configured). */
export const DEV_ISSUER = 'urn:coalition-hub:local';
export const DEV_AUDIENCE = 'coalition-hub';

export interface DevKeys {
  jwksFile: string;
  privateJwk: JWK;
  /** The issuer and audience its tokens name; DEV_ISSUER and DEV_AUDIENCE unless given (tests). */
  issuer?: string;
  audience?: string;
}

/**
 * The local signing key: an Ed25519 key pair generated on first start and kept in `dir` (private key
 * mode 0600, public JWKS beside it). Never committed; a fresh clone makes its own.
 */
export async function ensureDevKeys(dir: string): Promise<DevKeys> {
  const privateFile = join(dir, 'signing-key.json');
  const jwksFile = join(dir, 'jwks.json');
  if (existsSync(privateFile) && existsSync(jwksFile)) {
    return { jwksFile, privateJwk: JSON.parse(readFileSync(privateFile, 'utf8')) as JWK };
  }
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA', use: 'sig' };
  writeFileSync(privateFile, JSON.stringify(privateJwk), { mode: 0o600 });
  chmodSync(privateFile, 0o600);
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }] }, null, 2));
  return { jwksFile, privateJwk };
}

/** `signup`: a signed-in person who is not a member yet (scope member:signup, no member_id). */
export type TokenKind = 'admin' | 'partner' | 'member' | 'charity' | 'signup';

export interface TokenRequest {
  kind: TokenKind;
  /**
   * partner_id, member_id or charity_id; none for admin and signup. A member token without one acts as
   * the member its subject signed up as (identity link).
   */
  id?: string;
  scope?: string;
  subject?: string;
  expiresIn?: string;
}

export const DEFAULT_SCOPES: Record<TokenKind, string> = {
  admin: 'admin',
  partner: 'points:earn points:redeem points:reverse members:enroll members:lookup reports:read',
  member: 'member',
  charity: 'reports:read',
  signup: 'member:signup',
};

/** Signs an access token with the local key, shaped as the contract describes. */
export async function signDevToken(keys: DevKeys, request: TokenRequest): Promise<string> {
  const claims: Record<string, string> = { scope: request.scope ?? DEFAULT_SCOPES[request.kind] };
  if (request.kind === 'partner') claims.partner_id = request.id ?? '';
  if (request.kind === 'member' && request.id) claims.member_id = request.id;
  if (request.kind === 'charity') claims.charity_id = request.id ?? '';
  const key = await importJWK(keys.privateJwk, 'EdDSA');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.privateJwk.kid, typ: 'at+jwt' })
    .setIssuer(keys.issuer ?? DEV_ISSUER)
    .setAudience(keys.audience ?? DEV_AUDIENCE)
    .setSubject(request.subject ?? (request.kind === 'admin' ? 'local-admin' : request.kind === 'signup' ? `person:${randomUUID()}` : `${request.kind}:${request.id}`))
    .setIssuedAt()
    .setExpirationTime(request.expiresIn ?? '12h')
    .sign(key);
}

/**
 * The hub's internal issuer key (service credentials between subgraphs, see service-token.ts): an ES256
 * private JWK in `file`, made once (mode 0600) and kept. It is the hub's own, whichever identity provider
 * signs people's tokens, and it is never in any JWKS that people's tokens are checked against.
 */
export async function ensureServiceKey(file: string, mode = 0o600): Promise<string> {
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  writeFileSync(file, JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' }), { mode });
  chmodSync(file, mode);
  return file;
}
