import { readFileSync } from 'node:fs';
import { importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { ALLOWED_ALGORITHMS, type Scope, type ServiceTrust, type Viewer } from './auth';
import { ConfigError } from './env';
import { forbidden } from './errors';

/**
 * Service credentials for the internal mutations one subgraph calls on another (the donations subgraph
 * posting a donation to the ledger, the points subgraph reporting an earn for pledges). They come from the
 * hub's own internal issuer, never from the people's identity provider: the subgraphs share one private
 * key (`SERVICE_SIGNING_KEY` or `SERVICE_SIGNING_KEY_FILE`, a private JWK with `kid` and `alg`) and mint
 * themselves short-lived tokens with issuer `SERVICE_ISSUER`, audience `SERVICE_AUDIENCE`, `sub` =
 * `<service>-service` and one internal scope. Every subgraph verifies them against the public half of that
 * key (plus `SERVICE_JWKS_FILE`, for a key being rotated out), and such a token is good only for the
 * internal operations: not through the gateway (which trusts the people's issuer alone), not for any public
 * field. So any identity provider works (Keycloak, Entra ID, Auth0, Cognito: none has to publish our key),
 * and a token from the people's issuer never reaches an internal operation, whatever its claims.
 */
export interface ServiceSigner {
  /** A bearer token for `scope`, reused until 30 s before it expires. */
  token(scope: Scope): Promise<string>;
}

export const DEFAULT_SERVICE_ISSUER = 'urn:coalition-hub:services';
export const DEFAULT_SERVICE_AUDIENCE = 'coalition-hub-services';

export const serviceSubject = (service: string): string => `${service}-service`;

/** The internal issuer's key as one process holds it: the private key to sign, the public ones to verify. */
export interface ServiceKeys {
  issuer: string;
  audience: string;
  signingKey: JWK;
  trust: ServiceTrust;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The public half of a private JWK (EC, OKP or RSA). */
export function publicJwk(jwk: JWK): JWK {
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => !PRIVATE_MEMBERS.includes(name))) as JWK;
}

export interface ServiceKeyEnv {
  AUTH_ISSUER?: string;
  SERVICE_ISSUER: string;
  SERVICE_AUDIENCE: string;
  SERVICE_SIGNING_KEY?: string;
  SERVICE_SIGNING_KEY_FILE?: string;
  SERVICE_JWKS_FILE?: string;
}

function readJson(variable: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: not valid JSON`);
  }
}

/**
 * Reads the internal issuer's key from the environment; null when none is set. A key that cannot sign (not
 * a private JWK, no `kid`, an algorithm the hub does not accept) or an internal issuer equal to the people's
 * issuer is a ConfigError naming the variable, so the process refuses to start instead of failing later.
 */
export function loadServiceKeys(env: ServiceKeyEnv): ServiceKeys | null {
  const variable = env.SERVICE_SIGNING_KEY ? 'SERVICE_SIGNING_KEY' : 'SERVICE_SIGNING_KEY_FILE';
  let text = env.SERVICE_SIGNING_KEY;
  if (!text && env.SERVICE_SIGNING_KEY_FILE) {
    try {
      text = readFileSync(env.SERVICE_SIGNING_KEY_FILE, 'utf8');
    } catch (error) {
      throw new ConfigError(`Invalid configuration:\n  SERVICE_SIGNING_KEY_FILE: cannot read ${env.SERVICE_SIGNING_KEY_FILE} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (!text) return null;
  if (env.AUTH_ISSUER !== undefined && env.SERVICE_ISSUER === env.AUTH_ISSUER) {
    throw new ConfigError('Invalid configuration:\n  SERVICE_ISSUER: must differ from AUTH_ISSUER (service credentials come from the hub\'s own issuer)');
  }
  const jwk = readJson(variable, text) as JWK;
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kid !== 'string' || !jwk.kid || typeof jwk.d !== 'string') {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: must be a private JWK with kid and alg`);
  }
  if (!jwk.alg || !(ALLOWED_ALGORITHMS as readonly string[]).includes(jwk.alg)) {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: alg must be one of ${ALLOWED_ALGORITHMS.join(', ')}`);
  }
  const keys: JWK[] = [{ ...publicJwk(jwk), use: 'sig' }];
  if (env.SERVICE_JWKS_FILE) {
    let extra: string;
    try {
      extra = readFileSync(env.SERVICE_JWKS_FILE, 'utf8');
    } catch (error) {
      throw new ConfigError(`Invalid configuration:\n  SERVICE_JWKS_FILE: cannot read ${env.SERVICE_JWKS_FILE} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const set = readJson('SERVICE_JWKS_FILE', extra) as JSONWebKeySet;
    if (!Array.isArray(set?.keys)) throw new ConfigError('Invalid configuration:\n  SERVICE_JWKS_FILE: must be a JWKS ({"keys": [...]})');
    keys.push(...set.keys.filter((k) => k.kid !== jwk.kid).map(publicJwk));
  }
  return { issuer: env.SERVICE_ISSUER, audience: env.SERVICE_AUDIENCE, signingKey: jwk, trust: { issuer: env.SERVICE_ISSUER, audience: env.SERVICE_AUDIENCE, keys: { keys } } };
}

export function createServiceSigner(keys: ServiceKeys, service: string, lifetimeSeconds = 120): ServiceSigner {
  const jwk = keys.signingKey;
  const keyPromise = importJWK(jwk, jwk.alg);
  const cache = new Map<string, { token: string; until: number }>();
  return {
    async token(scope) {
      const cached = cache.get(scope);
      if (cached && cached.until > Date.now()) return cached.token;
      const token = await new SignJWT({ scope })
        .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid!, typ: 'at+jwt' })
        .setIssuer(keys.issuer)
        .setAudience(keys.audience)
        .setSubject(serviceSubject(service))
        .setIssuedAt()
        .setExpirationTime(`${lifetimeSeconds}s`)
        .sign(await keyPromise);
      cache.set(scope, { token, until: Date.now() + (lifetimeSeconds - 30) * 1000 });
      return token;
    },
  };
}

/** The caller must be `service`'s own credential, from the internal issuer, carrying `scope` (FORBIDDEN otherwise). */
export function requireService(viewer: Viewer, service: string, scope: Scope): void {
  if (viewer.service !== true || viewer.subject !== serviceSubject(service) || !viewer.scopes.has(scope)) {
    throw forbidden('Internal operation: only the hub\'s own services may call it');
  }
}

/** A viewer for a service's own calls (the reconciler, the relay), carrying its minted token. */
export async function serviceViewer(signer: ServiceSigner, service: string, scope: Scope): Promise<Viewer> {
  return { subject: serviceSubject(service), scopes: new Set([scope]), token: await signer.token(scope), service: true };
}
