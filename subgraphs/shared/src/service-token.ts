import { readFileSync } from 'node:fs';
import { importJWK, SignJWT, type JWK } from 'jose';
import { type Scope, type Viewer } from './auth';
import { forbidden } from './errors';

/**
 * Service credentials for the few internal mutations one subgraph calls on another (the donations
 * subgraph posting a donation to the ledger, the points subgraph reporting an earn for pledges). The
 * calling subgraph holds a private signing key (`SERVICE_SIGNING_KEY_FILE`, a private JWK with `kid` and
 * `alg`) whose public half the hub's JWKS publishes, and mints itself short-lived access tokens: issuer
 * and audience as every token, `sub` = `<service>-service`, one dedicated scope, no tenant claim. The
 * callee verifies them like any token and then requires that exact subject and scope, so no partner,
 * member or charity token reaches these mutations, and the reconciler and relay need no user's token.
 */
export interface ServiceSigner {
  /** A bearer token for `scope`, reused until 30 s before it expires. */
  token(scope: Scope): Promise<string>;
}

export const serviceSubject = (service: string): string => `${service}-service`;

export function createServiceSigner(options: { keyFile?: string; issuer: string; audience: string; service: string; lifetimeSeconds?: number }): ServiceSigner | null {
  if (!options.keyFile) return null;
  const jwk = JSON.parse(readFileSync(options.keyFile, 'utf8')) as JWK;
  if (!jwk.kid || !jwk.alg) throw new Error('SERVICE_SIGNING_KEY_FILE must hold a private JWK with kid and alg');
  const lifetime = options.lifetimeSeconds ?? 120;
  const keyPromise = importJWK(jwk, jwk.alg);
  const cache = new Map<string, { token: string; until: number }>();
  return {
    async token(scope) {
      const cached = cache.get(scope);
      if (cached && cached.until > Date.now()) return cached.token;
      const token = await new SignJWT({ scope })
        .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid!, typ: 'at+jwt' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(serviceSubject(options.service))
        .setIssuedAt()
        .setExpirationTime(`${lifetime}s`)
        .sign(await keyPromise);
      cache.set(scope, { token, until: Date.now() + (lifetime - 30) * 1000 });
      return token;
    },
  };
}

/** The caller must be `service`'s own credential carrying `scope`, and nothing else (FORBIDDEN). */
export function requireService(viewer: Viewer, service: string, scope: Scope): void {
  const tenant = viewer.partnerId ?? viewer.memberId ?? viewer.charityId;
  if (viewer.subject !== serviceSubject(service) || !viewer.scopes.has(scope) || tenant !== undefined || viewer.scopes.has('admin')) {
    throw forbidden('Internal operation: only the hub\'s own services may call it');
  }
}

/** A viewer for a service's own calls (the reconciler, the relay), carrying its minted token. */
export async function serviceViewer(signer: ServiceSigner, service: string, scope: Scope): Promise<Viewer> {
  return { subject: serviceSubject(service), scopes: new Set([scope]), token: await signer.token(scope) };
}
