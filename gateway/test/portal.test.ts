import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/src';
import { createDemoSignIn, createPortal, isLoopbackAddress, type DemoSignIn } from '../src/portal';
import { Readable } from 'node:stream';
import { type IncomingMessage, type ServerResponse } from 'node:http';

const logger = createLogger('test', 'silent');

async function keyFiles(dir: string) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const keyFile = join(dir, 'signing-key.json');
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(keyFile, JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' }));
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'EdDSA' }] }));
  return { keyFile, jwksFile };
}

const ISSUER = 'urn:coalition-hub:local';
const AUDIENCE = 'coalition-hub';
const PARTNER = '5f1c7f0e-0a39-4a43-8d4e-5b4c2b7bb001';
const MEMBER = '5f1c7f0e-0a39-4a43-8d4e-5b4c2b7bb002';

describe('the portal on the gateway host', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let demo: DemoSignIn;
  let jwksFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-portal-'));
    const site = join(dir, 'portal');
    mkdirSync(join(site, 'assets'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>Portal</title>');
    writeFileSync(join(site, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(site, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(site, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'secret.txt'), 'outside the portal');
    const keys = await keyFiles(dir);
    jwksFile = keys.jwksFile;
    const identitiesFile = join(dir, 'identities.json');
    writeFileSync(
      identitiesFile,
      JSON.stringify({
        identities: [
          { kind: 'admin', name: 'Operator' },
          { kind: 'partner', id: PARTNER, name: 'Nordic Grocer' },
          { kind: 'member', id: MEMBER, name: 'Astrid Lund' },
          { kind: 'member', subject: 'demo-person-kari', name: 'Kari Nordmann' },
        ],
      }),
    );
    demo = await createDemoSignIn({ ...keys, identitiesFile, issuer: ISSUER, audience: AUDIENCE });
    const portal = createPortal({ dir: site, logger, demo });
    server = createServer((req, res) => {
      void portal.serve(req, res).then((served) => {
        if (!served) {
          res.writeHead(418);
          res.end('not the portal');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves index.html at / and for the app\'s own routes, never kept, with a content security policy', async () => {
    for (const path of ['/', '/member/history', '/partner/statement?x=1']) {
      const response = await fetch(base + path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toContain('<title>Portal</title>');
    }
    expect((await fetch(`${base}/index.html`)).headers.get('cache-control')).toBe('no-store');
  });

  it('serves built files with their content types; hashed assets are kept for a year', async () => {
    const js = await fetch(`${base}/assets/index-abc123.js`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    expect((await fetch(`${base}/assets/index-abc123.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const svg = await fetch(`${base}/favicon.svg`);
    expect([svg.headers.get('content-type'), svg.headers.get('cache-control')]).toEqual(['image/svg+xml', 'no-cache']);
  });

  it('answers 404 for a missing file, and nothing outside its folder', async () => {
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const response = await fetch(base + path);
      expect(await response.text()).not.toContain('outside the portal');
    }
  });

  it('leaves the API and the gateway\'s own routes alone', async () => {
    for (const path of ['/graphql', '/healthz', '/readyz', '/metrics', '/reports/settlement.csv', '/members/x/export.json', '/events/stream']) {
      expect((await fetch(base + path)).status).toBe(418);
    }
    expect((await fetch(`${base}/member`, { method: 'POST', body: '{}' })).status).toBe(418);
  });

  it('says how people sign in: the demo identities, by kind and name only', async () => {
    const config = (await (await fetch(`${base}/portal/config.json`)).json()) as { signIn: string; demo: { identities: { key: string; kind: string; name: string }[] } };
    expect(config.signIn).toBe('demo');
    expect(config.demo.identities.map((i) => i.key)).toEqual(['admin:local-admin', `partner:${PARTNER}`, `member:${MEMBER}`, 'member:demo-person-kari']);
  });

  it('mints a token the hub trusts for a seeded identity, with that identity\'s claims', async () => {
    const jwks = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
    const signIn = (identity: string) => fetch(`${base}/portal/demo/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity }) });
    const partner = (await (await signIn(`partner:${PARTNER}`)).json()) as { token: string };
    const { payload } = await jwtVerify(partner.token, jwks, { issuer: ISSUER, audience: AUDIENCE });
    expect(payload).toMatchObject({ partner_id: PARTNER, sub: `partner:${PARTNER}` });
    expect(String(payload.scope)).toContain('reports:read');
    expect(decodeJwt(((await (await signIn(`member:${MEMBER}`)).json()) as { token: string }).token)).toMatchObject({ member_id: MEMBER, scope: 'member' });
    const kari = decodeJwt(((await (await signIn('member:demo-person-kari')).json()) as { token: string }).token);
    expect([kari.sub, kari.member_id, kari.scope]).toEqual(['demo-person-kari', undefined, 'member']);
    expect(decodeJwt(((await (await signIn('admin:local-admin')).json()) as { token: string }).token).scope).toBe('admin');
    // A new person may only sign up (and then act as the member they became): a fresh subject each time.
    const people = await Promise.all([signIn('person'), signIn('person')].map(async (r) => decodeJwt(((await (await r).json()) as { token: string }).token)));
    expect(people[0].scope).toBe('member:signup member');
    expect(people[0].sub).not.toBe(people[1].sub);
    expect(people[0].member_id).toBeUndefined();
  });

  it('refuses any identity that was not seeded, and anything but a JSON POST', async () => {
    const post = (body: string, type = 'application/json') => fetch(`${base}/portal/demo/sign-in`, { method: 'POST', headers: { 'content-type': type }, body });
    expect((await post(JSON.stringify({ identity: 'member:5f1c7f0e-0a39-4a43-8d4e-5b4c2b7bb999' }))).status).toBe(404);
    expect((await post(JSON.stringify({ identity: 'partner:anything' }))).status).toBe(404);
    expect((await post(JSON.stringify({ identity: 'admin:someone-else' }))).status).toBe(404);
    const missing = await post(JSON.stringify({}));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'identity' } }] });
    expect((await post('identity=person', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await fetch(`${base}/portal/demo/sign-in`)).status).toBe(405);
  });

  it('is off unless the hub signs its own tokens: no key, an external issuer, or a key the hub does not trust', async () => {
    const keys = await keyFiles(mkdtempSync(join(tmpdir(), 'hub-portal-keys-')));
    const other = await keyFiles(mkdtempSync(join(tmpdir(), 'hub-portal-other-')));
    const cases = [
      await createDemoSignIn({ issuer: ISSUER, audience: AUDIENCE, jwksFile: keys.jwksFile }),
      await createDemoSignIn({ ...keys, issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'https://idp.example.com/jwks' }),
      await createDemoSignIn({ keyFile: keys.keyFile, jwksFile: other.jwksFile, issuer: ISSUER, audience: AUDIENCE }),
    ];
    expect(cases.map((c) => c.disabledReason)).toEqual([expect.stringContaining('does not sign'), expect.stringContaining('external identity provider'), expect.stringContaining('not one the hub trusts')]);
    for (const off of cases) expect(await off.mint('person')).toBeNull();
    const portal = createPortal({ dir: join(dir, 'portal'), logger, demo: cases[1] });
    const offServer = createServer((req, res) => void portal.serve(req, res));
    await new Promise<void>((resolve) => offServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(offServer.address() as AddressInfo).port}`;
    try {
      const refused = await fetch(`${url}/portal/demo/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"identity":"person"}' });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { errors: { message: string }[] }).errors[0].message).toContain('external identity provider');
      expect(await (await fetch(`${url}/portal/config.json`)).json()).toMatchObject({ signIn: 'none' });
    } finally {
      await new Promise<void>((resolve) => offServer.close(() => resolve()));
    }
  });

  it('tells the portal to use the identity provider when one is configured for it', async () => {
    const portal = createPortal({ dir: join(dir, 'portal'), logger, oidc: { issuer: 'https://idp.example.com', clientId: 'portal', scope: 'openid member' } });
    const oidcServer = createServer((req, res) => void portal.serve(req, res));
    await new Promise<void>((resolve) => oidcServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(oidcServer.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${url}/portal/config.json`)).json()).toEqual({ signIn: 'oidc', oidc: { issuer: 'https://idp.example.com', clientId: 'portal', scope: 'openid member' } });
      // The page may send the token request to the provider, and nowhere else.
      expect((await fetch(`${url}/`)).headers.get('content-security-policy')).toContain("connect-src 'self' https://idp.example.com");
    } finally {
      await new Promise<void>((resolve) => oidcServer.close(() => resolve()));
    }
  });

  it('serves the demo sign-in to this machine only, whatever address the hub listens on', async () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.8.9.10'].map(isLoopbackAddress)).toEqual([true, true, true, true]);
    expect(['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', 'fe80::1', '', undefined].map(isLoopbackAddress)).toEqual([false, false, false, false, false, false]);
    const portal = createPortal({ dir: join(dir, 'portal'), logger, demo });
    const fromNetwork = async (method: string, url: string, body = '', remoteAddress = '192.168.1.20', host = '192.168.1.10:4000') => {
      const req = Object.assign(Readable.from(body ? [Buffer.from(body)] : []), {
        method,
        url,
        headers: { 'content-type': 'application/json', host },
        socket: { remoteAddress },
      }) as unknown as IncomingMessage;
      const answer = { status: 0, body: '' };
      const res = {
        writeHead(status: number) {
          answer.status = status;
          return this;
        },
        end(chunk?: string | Buffer) {
          answer.body = chunk ? chunk.toString() : '';
        },
      } as unknown as ServerResponse;
      await portal.serve(req, res);
      return answer;
    };
    const minted = await fromNetwork('POST', '/portal/demo/sign-in', JSON.stringify({ identity: 'admin:local-admin' }));
    expect(minted.status).toBe(403);
    expect(minted.body).not.toContain('token');
    expect(JSON.parse((await fromNetwork('GET', '/portal/config.json')).body)).toMatchObject({ signIn: 'none', reason: expect.stringContaining('only for a browser on the machine') });
    // A page on another domain that resolves to this machine (DNS rebinding) is refused as well.
    const rebound = await fromNetwork('POST', '/portal/demo/sign-in', JSON.stringify({ identity: 'admin:local-admin' }), '127.0.0.1', 'evil.example:4000');
    expect(rebound.status).toBe(403);
    const local = await fromNetwork('POST', '/portal/demo/sign-in', JSON.stringify({ identity: 'admin:local-admin' }), '::ffff:127.0.0.1', 'localhost:4000');
    expect(local.status).toBe(200);
  });
});
