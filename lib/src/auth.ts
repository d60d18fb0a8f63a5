import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { AppError, unauthenticated } from './errors';

/** The only signature algorithms the hub accepts (API-CONTRACT.md). */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

export const SCOPES = [
  'admin',
  'points:earn',
  'points:redeem',
  'points:reverse',
  'members:enroll',
  'members:lookup',
  'reports:read',
  // A partner granting goodwill or campaign points it pays for (grantPoints, bulk grants).
  'points:grant',
  'member',
  // A signed-in person who is not yet a member: may call `signUp` and nothing else of a member's.
  'member:signup',
  // Service credentials for internal calls between subgraphs (see service-token.ts); never given to people.
  'ledger:donate',
  'pledges:record',
  // The members service settling a closing or a merge in the ledger, and donating a closing's remaining points.
  'ledger:members',
  'donations:closing',
  // The members service asking the other subgraphs to erase their part of a member's personal data.
  'members:erase',
  // The points service asking members which members consent to partner data sharing (member notices to webhooks).
  'members:consents',
  // The points service finding the active member a household invitation names (by member id or card number).
  'members:resolve',
  // The points service reading an offer before its window opens, for a paid membership's early access.
  'offers:preview',
] as const;
export type Scope = (typeof SCOPES)[number];

/** The scopes only the hub's own service credentials carry (service-token.ts); stripped from any other token. */
export const SERVICE_SCOPES: ReadonlySet<string> = new Set<Scope>(['ledger:donate', 'pledges:record', 'ledger:members', 'donations:closing', 'members:erase', 'members:consents', 'members:resolve', 'offers:preview']);

/** The hub's internal issuer as a verifier sees it: who signs service credentials, for whom, with which keys. */
export interface ServiceTrust {
  issuer: string;
  audience: string;
  keys: JSONWebKeySet;
}

/** Where the hub finds its claims in the people's tokens: identity providers name them differently. */
export interface ClaimNames {
  /** Claims holding scopes, each a space-separated string or an array (`scope` per RFC 9068, `scp` in Entra ID and Okta). */
  scopes: string[];
  partnerId: string;
  memberId: string;
  charityId: string;
}

export const DEFAULT_CLAIM_NAMES: ClaimNames = { scopes: ['scope', 'scp'], partnerId: 'partner_id', memberId: 'member_id', charityId: 'charity_id' };

/** Who is calling, as proven by a verified access token. */
export interface Viewer {
  subject: string;
  /** The token's `iss`: with `subject`, the identity a sign-up links to a member (member-link.ts). */
  issuer?: string;
  scopes: ReadonlySet<string>;
  partnerId?: string;
  memberId?: string;
  charityId?: string;
  /** The raw bearer token, forwarded unchanged when one subgraph calls another. */
  token: string;
  /** A service credential from the hub's internal issuer: good for internal operations only. */
  service?: boolean;
}

export interface AuthConfig {
  issuer: string;
  audience: string;
  jwksUrl?: string;
  jwksFile?: string;
  /** Seconds; the contract allows at most 30. */
  clockTolerance?: number;
  /** Remote JWKS: how long keys are cached (ms, default 10 minutes). */
  jwksCacheMaxAgeMs?: number;
  /** Remote JWKS: the least time between two fetches (ms, default 30 s); an unknown `kid` refetches after it. */
  jwksCooldownMs?: number;
  /**
   * How long a token that verified is remembered, so that a till or portal sending the same token on every
   * request pays for one signature check per process per this period, not one per request (ms, default
   * 60 s, 0 = off). Expiry is still checked on every use, and a removed key stops counting within it.
   */
  verifiedCacheMs?: number;
  /** Claim names in the people's tokens (defaults: DEFAULT_CLAIM_NAMES). */
  claims?: ClaimNames;
  /**
   * The hub's internal issuer, trusted only by subgraphs and only for internal operations; the gateway
   * leaves it unset, so a service credential never passes there.
   */
  service?: ServiceTrust;
}

export interface TokenVerifier {
  /** Verifies an `Authorization` header value; throws UNAUTHENTICATED on anything but a valid bearer token. */
  verify(authorization: string | null | undefined): Promise<Viewer>;
  /** Signatures checked so far (tokens answered from the verified-token cache are not counted). */
  readonly signatureChecks: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'];

export function authConfigFromEnv(env: {
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  AUTH_JWKS_URL?: string;
  AUTH_JWKS_FILE?: string;
  AUTH_CLOCK_TOLERANCE_SECONDS?: number;
  AUTH_JWKS_CACHE_MAX_AGE_MS?: number;
  AUTH_JWKS_COOLDOWN_MS?: number;
  AUTH_VERIFIED_CACHE_MS?: number;
  AUTH_SCOPE_CLAIMS?: string;
  AUTH_PARTNER_ID_CLAIM?: string;
  AUTH_MEMBER_ID_CLAIM?: string;
  AUTH_CHARITY_ID_CLAIM?: string;
}): AuthConfig {
  return {
    claims: {
      scopes: (env.AUTH_SCOPE_CLAIMS ?? DEFAULT_CLAIM_NAMES.scopes.join(',')).split(',').map((c) => c.trim()).filter(Boolean),
      partnerId: env.AUTH_PARTNER_ID_CLAIM ?? DEFAULT_CLAIM_NAMES.partnerId,
      memberId: env.AUTH_MEMBER_ID_CLAIM ?? DEFAULT_CLAIM_NAMES.memberId,
      charityId: env.AUTH_CHARITY_ID_CLAIM ?? DEFAULT_CLAIM_NAMES.charityId,
    },
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
    jwksUrl: env.AUTH_JWKS_URL,
    jwksFile: env.AUTH_JWKS_FILE,
    clockTolerance: env.AUTH_CLOCK_TOLERANCE_SECONDS,
    jwksCacheMaxAgeMs: env.AUTH_JWKS_CACHE_MAX_AGE_MS,
    jwksCooldownMs: env.AUTH_JWKS_COOLDOWN_MS,
    verifiedCacheMs: env.AUTH_VERIFIED_CACHE_MS,
  };
}

/** Verified tokens, oldest first; bounded in size and age (see AuthConfig.verifiedCacheMs). */
class VerifiedTokens {
  private readonly entries = new Map<string, { viewer: Viewer; exp: number; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clockTolerance: number,
    private readonly capacity = 10_000,
  ) {}

  get(token: string): Viewer | undefined {
    if (this.ttlMs === 0) return undefined;
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    const now = Date.now();
    if (now >= entry.until || now / 1000 > entry.exp + this.clockTolerance) {
      this.entries.delete(token);
      return undefined; // verified afresh, which also gives an expired token its proper error
    }
    // A copy per request: per-request state is keyed on the viewer object (the audit scope).
    return { ...entry.viewer };
  }

  set(token: string, viewer: Viewer, exp: number): void {
    if (this.ttlMs === 0) return;
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { viewer, exp, until: Date.now() + this.ttlMs });
  }
}

/**
 * Builds the verifier used by the gateway and by every subgraph. Keys come from a remote JWKS (cached by
 * jose for 10 minutes, refetched at most every 30 s when a token names an unknown `kid`, both settable)
 * or a local file. Each process keeps its own cache: after a rotation each refetches on its own.
 */
export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const clockTolerance = Math.min(config.clockTolerance ?? 30, 30);
  let keys: ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;
  if (config.jwksUrl) {
    keys = createRemoteJWKSet(new URL(config.jwksUrl), {
      cacheMaxAge: config.jwksCacheMaxAgeMs ?? 600_000,
      cooldownDuration: config.jwksCooldownMs ?? 30_000,
      timeoutDuration: 5_000,
    });
  } else if (config.jwksFile) {
    keys = createLocalJWKSet(JSON.parse(readFileSync(config.jwksFile, 'utf8')) as JSONWebKeySet);
  } else {
    throw new Error('AUTH_JWKS_URL or AUTH_JWKS_FILE is required');
  }

  const serviceKeys = config.service ? createLocalJWKSet(config.service.keys) : undefined;
  const claims = config.claims ?? DEFAULT_CLAIM_NAMES;
  const verified = new VerifiedTokens(config.verifiedCacheMs ?? 60_000, clockTolerance);
  let signatureChecks = 0;
  return {
    get signatureChecks() {
      return signatureChecks;
    },
    async verify(authorization) {
      const match = /^Bearer ([A-Za-z0-9_\-.]+)$/i.exec(authorization?.trim() ?? '');
      if (!match) throw unauthenticated('A bearer token is required');
      const token = match[1];
      const known = verified.get(token);
      if (known) return known;
      let payload: JWTPayload;
      try {
        signatureChecks++;
        const header = decodeProtectedHeader(token);
        if (FORBIDDEN_HEADERS.some((h) => h in header)) throw unauthenticated('Token header not accepted');
        // The unverified `iss` only picks which keys to check against; the signature and claims decide.
        const internal = config.service !== undefined && decodeJwt(token).iss === config.service.issuer;
        ({ payload } = await jwtVerify(token, internal ? serviceKeys! : keys, {
          issuer: internal ? config.service!.issuer : config.issuer,
          audience: internal ? config.service!.audience : config.audience,
          algorithms: [...ALLOWED_ALGORITHMS],
          requiredClaims: ['exp', 'sub'],
          clockTolerance,
        }));
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError || error instanceof SyntaxError) {
          throw unauthenticated(describeJoseError(error));
        }
        throw error;
      }
      // jose checks `iat` only with maxTokenAge; a token issued in the future is as suspect as an early `nbf`.
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + clockTolerance) throw unauthenticated('Token claim rejected: iat');
      const viewer = config.service && payload.iss === config.service.issuer ? serviceViewerFromClaims(payload, token) : viewerFromClaims(payload, token, claims);
      verified.set(token, viewer, payload.exp as number);
      return { ...viewer };
    },
  };
}

function describeJoseError(error: Error): string {
  if (error instanceof joseErrors.JWTExpired) return 'Token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `Token claim rejected: ${error.claim}`;
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'Token signed by an unknown key';
  return 'Invalid token';
}

function optionalId(payload: JWTPayload, claim: string): string | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !UUID.test(value)) throw unauthenticated(`Token claim rejected: ${claim}`);
  return value.toLowerCase();
}

/**
 * Scopes from each configured claim: a space-separated string, or an array of strings (`scp` in Okta,
 * `roles` in Entra ID); `scope` itself is a string, as RFC 9068 has it.
 */
function scopesOf(payload: JWTPayload, names: string[]): Set<string> {
  const scopes = new Set<string>();
  for (const name of names) {
    const value = payload[name];
    if (value === undefined) continue;
    const array = name !== 'scope' && Array.isArray(value) && value.every((v) => typeof v === 'string');
    const list = typeof value === 'string' ? value.split(' ') : array ? (value as string[]) : null;
    if (!list) throw unauthenticated(`Token claim rejected: ${name}`);
    for (const scope of list) if (scope) scopes.add(scope);
  }
  return scopes;
}

function viewerFromClaims(payload: JWTPayload, token: string, claims: ClaimNames): Viewer {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw unauthenticated('Token claim rejected: sub');
  const scopes = scopesOf(payload, claims.scopes);
  // Internal scopes mean something only on the hub's own credentials.
  for (const scope of SERVICE_SCOPES) scopes.delete(scope);
  const viewer: Viewer = {
    subject: payload.sub,
    issuer: payload.iss,
    scopes,
    partnerId: optionalId(payload, claims.partnerId),
    memberId: optionalId(payload, claims.memberId),
    charityId: optionalId(payload, claims.charityId),
    token,
  };
  const identities = [viewer.partnerId, viewer.memberId, viewer.charityId].filter(Boolean).length;
  if (identities > 1) throw unauthenticated(`Token names more than one of ${claims.partnerId}, ${claims.memberId}, ${claims.charityId}`);
  return viewer;
}

/** A credential from the internal issuer: its internal scopes and nothing else, never a tenant. */
function serviceViewerFromClaims(payload: JWTPayload, token: string): Viewer {
  if (typeof payload.sub !== 'string' || !payload.sub.endsWith('-service')) throw unauthenticated('Token claim rejected: sub');
  const scopes = [...scopesOf(payload, ['scope'])];
  if (scopes.some((s) => !SERVICE_SCOPES.has(s))) throw unauthenticated('Token claim rejected: scope');
  if (['partner_id', 'member_id', 'charity_id'].some((c) => c in payload)) throw unauthenticated('Token claim rejected: service credentials name no tenant');
  return { subject: payload.sub, issuer: payload.iss, scopes: new Set(scopes), token, service: true };
}

// The viewer predicates live in their own module, so pure rules can use them without loading jose.
export { isAdmin, isSelf, requireAdmin, requireMember, requirePartner, requireScope } from './viewer';

/**
 * When a token that verified expires (its `exp`, in ms since the epoch; verification requires the claim).
 * Read from the payload without checking anything: only for a token `verify` already accepted, to end what
 * it opened (a live stream, a subscription) when it would no longer be accepted.
 */
export function tokenExpiresAt(token: string): number {
  const payload = token.replace(/^Bearer\s+/i, '').split('.')[1] ?? '';
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : Date.now();
  } catch {
    return Date.now();
  }
}
