import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { calculateJwkThumbprint, importJWK, SignJWT, type JWK } from 'jose';
import { type Logger } from '../../lib/src';

/**
 * The portal (portal/, built by `npm run build` into dist/portal) served by the gateway host at `/`, beside
 * the API at `/graphql`: its files, a single-page-app fallback to index.html, the portal's configuration
 * (`GET /portal/config.json`: how people sign in) and, only when the hub signs its own tokens (the embedded
 * default of `npm start`), the demo sign-in (`POST /portal/demo/sign-in`), for browsers on the hub's machine.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Paths the gateway answers itself; the portal's fallback never shadows them. */
const RESERVED = /^\/(graphql|graphiql|healthz|readyz|gateway-readiness|metrics|reports|events|members|imports|payouts)(\/|$|\.)/;

export interface PortalOptions {
  /** The built portal (index.html and assets/); the portal is off when it has no index.html. */
  dir: string;
  /** Origins the portal's pages may call besides its own (the identity provider, for the OIDC flow). */
  oidc?: { issuer: string; clientId: string; scope: string; resource?: string };
  demo?: DemoSignIn;
  logger: Logger;
}

/** One identity the demo sign-in may mint a token for, listed by `npm start` after it seeds the demo. */
export interface DemoIdentity {
  kind: 'admin' | 'partner' | 'charity' | 'member';
  /** partner_id, charity_id or member_id; none for the admin and for a member known by subject only. */
  id?: string;
  /** The token's subject, for a member who signed up through the identity provider (no member_id). */
  subject?: string;
  name: string;
}

const DEMO_SCOPES: Record<DemoIdentity['kind'] | 'person', string> = {
  admin: 'admin',
  partner: 'points:earn points:redeem points:reverse members:enroll members:lookup reports:read',
  charity: 'reports:read',
  member: 'member',
  // A new person: may sign up, and afterwards acts as the member it signed up as (identity link).
  person: 'member:signup member',
};

export interface DemoSignIn {
  /** Why the demo sign-in is off, or null when on. */
  disabledReason: string | null;
  identities(): DemoIdentity[];
  mint(key: string): Promise<{ token: string; identity: DemoIdentity | { kind: 'person'; name: string }; expiresAt: string } | null>;
}

export const demoKey = (identity: DemoIdentity) => `${identity.kind}:${identity.id ?? identity.subject ?? 'local-admin'}`;

const DEMO_TOKEN_SECONDS = 2 * 60 * 60;

/**
 * A request from a browser on this machine, to this machine by name: the demo sign-in is for the person at it,
 * never for the network. The Host must name the machine too, so a page whose own domain is made to resolve
 * to 127.0.0.1 (DNS rebinding) cannot mint tokens from the person's browser.
 */
export function isLocalRequest(req: IncomingMessage): boolean {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return false;
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || isLoopbackAddress(host);
}

/** A loopback address (IPv4 127/8, IPv6 ::1, or IPv4 mapped into IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * The demo sign-in, on only when the hub signs its own tokens: the key file holds the private key whose
 * public half is in AUTH_JWKS_FILE (the keys the hub trusts), and no external issuer (AUTH_JWKS_URL) is
 * configured. It mints tokens only for the identities `npm start` seeded (listed in the identities file,
 * read at each call as the seed may finish after the gateway starts), or a new random person who may
 * only sign up.
 */
export async function createDemoSignIn(config: {
  keyFile?: string;
  identitiesFile?: string;
  issuer?: string;
  audience?: string;
  jwksUrl?: string;
  jwksFile?: string;
}): Promise<DemoSignIn> {
  const off = (reason: string): DemoSignIn => ({ disabledReason: reason, identities: () => [], mint: async () => null });
  if (!config.keyFile) return off('the hub does not sign its own tokens here');
  if (config.jwksUrl) return off('this hub trusts an external identity provider (AUTH_JWKS_URL): sign in there');
  if (!config.jwksFile || !config.issuer || !config.audience) return off('the hub does not sign its own tokens here');
  const privateJwk = JSON.parse(readFileSync(config.keyFile, 'utf8')) as JWK;
  const trusted = JSON.parse(readFileSync(config.jwksFile, 'utf8')) as { keys?: JWK[] };
  const { d: _d, ...publicPart } = privateJwk;
  const thumbprint = await calculateJwkThumbprint(publicPart as JWK);
  const trustedThumbprints = await Promise.all((trusted.keys ?? []).map((k) => calculateJwkThumbprint(k)));
  if (!trustedThumbprints.includes(thumbprint)) return off('the demo key is not one the hub trusts (AUTH_JWKS_FILE)');
  const key = await importJWK(privateJwk, privateJwk.alg ?? 'EdDSA');
  const identities = (): DemoIdentity[] => {
    if (!config.identitiesFile || !existsSync(config.identitiesFile)) return [];
    try {
      const parsed = JSON.parse(readFileSync(config.identitiesFile, 'utf8')) as { identities?: DemoIdentity[] };
      return (parsed.identities ?? []).filter((i) => ['admin', 'partner', 'charity', 'member'].includes(i.kind) && typeof i.name === 'string');
    } catch {
      return [];
    }
  };
  const sign = (claims: Record<string, string>, subject: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: privateJwk.alg ?? 'EdDSA', kid: privateJwk.kid, typ: 'at+jwt' })
      .setIssuer(config.issuer!)
      .setAudience(config.audience!)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${DEMO_TOKEN_SECONDS}s`)
      .sign(key);
  return {
    disabledReason: null,
    identities,
    async mint(wanted) {
      const expiresAt = new Date(Date.now() + DEMO_TOKEN_SECONDS * 1000).toISOString();
      if (wanted === 'person') {
        const token = await sign({ scope: DEMO_SCOPES.person }, `person:${randomUUID()}`);
        return { token, identity: { kind: 'person', name: 'New person' }, expiresAt };
      }
      const identity = identities().find((i) => demoKey(i) === wanted);
      if (!identity) return null;
      const claims: Record<string, string> = { scope: DEMO_SCOPES[identity.kind] };
      if (identity.kind === 'partner') claims.partner_id = identity.id!;
      if (identity.kind === 'charity') claims.charity_id = identity.id!;
      if (identity.kind === 'member' && identity.id) claims.member_id = identity.id;
      const subject = identity.subject ?? (identity.kind === 'admin' ? 'local-admin' : `${identity.kind}:${identity.id}`);
      return { token: await sign(claims, subject), identity, expiresAt };
    },
  };
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string>, head = false): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), 'x-content-type-options': 'nosniff', ...headers });
  res.end(head ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra });
}

const problem = (code: string, message: string, field?: string) => ({ errors: [{ message, extensions: field ? { code, field } : { code } }] });

async function readSmallJson(req: IncomingMessage, limit = 4096): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The portal's files and endpoints; `serve` answers false for anything it does not own. */
export function createPortal(options: PortalOptions): { enabled: boolean; serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> } {
  const root = resolve(options.dir);
  const enabled = existsSync(join(root, 'index.html'));
  if (!enabled) options.logger.info('portal not built: / is not served (npm run build builds it)', { dir: root });
  const oidcOrigin = options.oidc ? new URL(options.oidc.issuer).origin : '';
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${oidcOrigin ? ` ${oidcOrigin}` : ''}`,
    `form-action 'self'${oidcOrigin ? ` ${oidcOrigin}` : ''}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
  const htmlHeaders = {
    'content-type': TYPES['.html'],
    // The page names the current build's hashed files: never kept, so a new build is seen at once.
    'cache-control': 'no-store',
    'content-security-policy': csp,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };

  const config = (req: IncomingMessage) => {
    const demo = options.demo;
    if (options.oidc) return { signIn: 'oidc', oidc: options.oidc };
    if (demo && demo.disabledReason === null && !isLocalRequest(req)) {
      return { signIn: 'none', reason: 'the demo sign-in is only for a browser on the machine that runs the hub' };
    }
    if (demo && demo.disabledReason === null) {
      return {
        signIn: 'demo',
        demo: { identities: demo.identities().map((i) => ({ key: demoKey(i), kind: i.kind, name: i.name })) },
      };
    }
    return { signIn: 'none', reason: demo?.disabledReason ?? 'no sign-in is configured for the portal' };
  };

  const serveDemoSignIn = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      req.resume();
      return sendJson(res, 405, problem('BAD_USER_INPUT', 'Use POST', 'method'), { allow: 'POST' });
    }
    const demo = options.demo;
    if (!demo || demo.disabledReason !== null) {
      req.resume();
      return sendJson(res, 403, problem('FORBIDDEN', `Demo sign-in is off: ${demo?.disabledReason ?? 'the hub does not sign its own tokens here'}`));
    }
    // Even with HOST=0.0.0.0, nobody on the network mints the demo's tokens (the operator's among them).
    if (!isLocalRequest(req)) {
      req.resume();
      return sendJson(res, 403, problem('FORBIDDEN', 'Demo sign-in is off: it is only for a browser on the machine that runs the hub'));
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return sendJson(res, 415, problem('BAD_USER_INPUT', 'The body must be JSON (Content-Type: application/json)', 'body'));
    }
    const body = (await readSmallJson(req)) as { identity?: unknown } | undefined;
    if (!body || typeof body.identity !== 'string' || body.identity.length > 200) {
      return sendJson(res, 400, problem('BAD_USER_INPUT', 'identity must be one of the demo identities (GET /portal/config.json)', 'identity'));
    }
    const minted = await demo.mint(body.identity);
    if (!minted) return sendJson(res, 404, problem('NOT_FOUND', 'No such demo identity', 'identity'));
    return sendJson(res, 200, minted);
  };

  const serveFile = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return false;
    }
    if (decoded.includes('\0')) return false;
    const file = resolve(root, `.${normalize(`/${decoded}`)}`);
    if (file !== root && !file.startsWith(root + sep)) return false;
    const head = req.method === 'HEAD';
    const isFile = existsSync(file) && statSync(file).isFile();
    if (isFile && file !== join(root, 'index.html')) {
      const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      // Vite names every built asset by its content's hash: kept for a year; anything else is revalidated.
      const immutable = file.startsWith(join(root, 'assets') + sep);
      req.resume();
      send(res, 200, await readFile(file), { 'content-type': type, 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' }, head);
      return true;
    }
    // The app's own routes (/member/history, /partner/statement …) load the app; a missing file is a 404.
    if (extname(decoded) !== '' && !decoded.endsWith('.html')) {
      req.resume();
      send(res, 404, 'Not found', { 'content-type': TYPES['.txt'], 'cache-control': 'no-store' }, head);
      return true;
    }
    req.resume();
    send(res, 200, await readFile(join(root, 'index.html')), htmlHeaders, head);
    return true;
  };

  return {
    enabled,
    async serve(req, res) {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/portal/config.json') {
        req.resume();
        if (req.method !== 'GET' && req.method !== 'HEAD') sendJson(res, 405, problem('BAD_USER_INPUT', 'Use GET', 'method'), { allow: 'GET, HEAD' });
        else sendJson(res, 200, config(req));
        return true;
      }
      if (path === '/portal/demo/sign-in') {
        await serveDemoSignIn(req, res);
        return true;
      }
      if (!enabled || (req.method !== 'GET' && req.method !== 'HEAD') || RESERVED.test(path)) return false;
      return serveFile(req, res, path);
    },
  };
}
