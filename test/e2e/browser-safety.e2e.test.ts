import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer } from '../../lib/src';
import { startHub, type TestHub } from '../support/hub';

// What a browser may do with the gateway: read answers only from the configured origins (CORS), and never
// send an operation in a body a cross-site page could post without a preflight (CSRF).
let hub: TestHub;
let withOrigins: RunningServer;
let admin: string;
const PORTAL = 'https://portal.example.com';
const TILL = 'http://till.example.com:8080';
const OTHER = 'https://evil.example.net';

beforeAll(async () => {
  hub = await startHub();
  withOrigins = await hub.startGateway({ CORS_ORIGINS: `${PORTAL}, ${TILL}` });
  admin = await hub.admin();
});
afterAll(async () => hub?.stop());

const QUERY = JSON.stringify({ query: '{ __typename }' });

async function post(url: string, origin: string) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}`, origin }, body: QUERY });
}

function preflight(url: string, origin: string) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

describe('CORS', () => {
  it('answers a configured origin with its own origin, no credentials, and the headers a client reads', async () => {
    for (const origin of [PORTAL, TILL]) {
      const response = await post(withOrigins.url, origin);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('vary')).toMatch(/origin/i);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('access-control-expose-headers')).toBe('x-request-id, retry-after');
    }
  });

  it('gives any other origin no CORS header at all, by default every origin', async () => {
    for (const [url, origin] of [
      [withOrigins.url, OTHER],
      [withOrigins.url, 'https://portal.example.com.evil.example.net'],
      [withOrigins.url, 'null'],
      [hub.gatewayUrl, PORTAL],
      [hub.gatewayUrl, OTHER],
    ]) {
      const response = await post(url, origin);
      const cors = [...response.headers.keys()].filter((h) => h.startsWith('access-control-'));
      expect(cors, `${url} ${origin}`).toEqual([]);
    }
  });

  it('answers a preflight from a configured origin, and gives another origin nothing to go on', async () => {
    const allowed = await preflight(withOrigins.url, PORTAL);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(allowed.headers.get('access-control-max-age')).toBe('600');
    for (const [url, origin] of [[withOrigins.url, OTHER], [hub.gatewayUrl, PORTAL]]) {
      const refused = await preflight(url, origin);
      expect(refused.headers.get('access-control-allow-origin'), `${url} ${origin}`).toBeNull();
      expect(refused.headers.get('access-control-allow-headers'), `${url} ${origin}`).toBeNull();
    }
  });
});

describe('bodies a cross-site form can send', () => {
  const charities = async (name: string) => (await hub.db.query('SELECT count(*)::int AS n FROM donations.charities WHERE name = $1', [name])).rows[0].n as number;
  const mutation = (name: string) => `mutation { createCharity(input: { name: "${name}" }) { charity { id } } }`;

  it('refuses a mutation sent as a form, multipart or text/plain even with a valid token (415), writing nothing', async () => {
    const cases: [string, (name: string) => BodyInit][] = [
      ['application/x-www-form-urlencoded', (name) => new URLSearchParams({ query: mutation(name) }).toString()],
      ['text/plain', (name) => JSON.stringify({ query: mutation(name) })],
      ['multipart/form-data; boundary=x', (name) => `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: mutation(name) })}\r\n--x--\r\n`],
    ];
    for (const [contentType, body] of cases) {
      const name = `Form ${randomUUID()}`;
      const response = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${admin}`, origin: OTHER }, body: body(name) });
      expect(response.status, contentType).toBe(415);
      expect(await response.json()).toEqual({ errors: [{ message: 'A POST body must be JSON (Content-Type: application/json)', extensions: { code: 'BAD_USER_INPUT', field: 'body' } }] });
      expect(await charities(name), contentType).toBe(0);
    }
    // The same mutation as JSON runs: what was refused was the body's type, nothing else.
    const name = `Json ${randomUUID()}`;
    const ok = await hub.query(mutation(name), {}, admin);
    expect(ok.errors).toBeUndefined();
    expect(await charities(name)).toBe(1);
  });
});

describe('GraphiQL (development)', () => {
  it('is a page whose scripts, styles, icon and editor workers all come from the gateway itself', async () => {
    const page = await fetch(hub.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).not.toMatch(/unpkg|jsdelivr|cdnjs|googleapis|githubusercontent/);
    const attributes = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    const workers = [...html.matchAll(/"(\/graphiql\/[^"]+\.worker\.js)"/g)].map((m) => m[1]);
    expect(attributes.length).toBe(3); // icon, stylesheet, script
    expect(workers.length).toBe(3);
    const origin = new URL(hub.gatewayUrl).origin;
    const types: string[] = [];
    for (const url of [...attributes, ...workers]) {
      const resolved = new URL(url, hub.gatewayUrl);
      expect(resolved.origin, url).toBe(origin);
      const asset = await fetch(resolved);
      expect(asset.status, url).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, url).toBeGreaterThan(1000);
      types.push(`${resolved.pathname} ${asset.headers.get('content-type')}`);
      const again = await fetch(resolved, { headers: { 'if-none-match': asset.headers.get('etag') ?? '' } });
      expect(again.status, url).toBe(304);
    }
    expect(types.sort()).toEqual([
      '/graphiql/editor.worker.js text/javascript; charset=utf-8',
      '/graphiql/favicon.ico image/x-icon',
      '/graphiql/graphiql.css text/css; charset=utf-8',
      '/graphiql/graphiql.js text/javascript; charset=utf-8',
      '/graphiql/graphql.worker.js text/javascript; charset=utf-8',
      '/graphiql/json.worker.js text/javascript; charset=utf-8',
    ]);
    expect((await fetch(new URL('/graphiql/other.js', hub.gatewayUrl))).status).toBe(404);
  });
});

