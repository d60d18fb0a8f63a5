import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer } from '../../lib/src';
import { startHub, type TestHub } from '../support/hub';

/**
 * The gateway with the portal's manifest (portal/src/gql/persisted-documents.json, what the build copies
 * into dist/portal): in trusted-documents mode only its documents (and the gateway's own routes') run; by
 * default the portal's documents are known by hash from the start, beside everything else.
 */
const MANIFEST = join(__dirname, '..', '..', 'portal', 'src', 'gql', 'persisted-documents.json');
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
const idOf = (operation: string) => {
  const entry = Object.entries(manifest).find(([, body]) => body.includes(`${operation}`));
  if (!entry) throw new Error(`${operation} is not in the manifest`);
  return entry[0].replace(/^sha256:/, '');
};

let hub: TestHub;
let admin: string;
let trusted: RunningServer;
let open: RunningServer;
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.admin();
  const portalDir = mkdtempSync(join(tmpdir(), 'hub-portal-gw-'));
  writeFileSync(join(portalDir, 'index.html'), '<!doctype html><title>Portal</title>');
  cpSync(MANIFEST, join(portalDir, 'persisted-documents.json'));
  trusted = await hub.startGateway({ PORTAL_DIR: portalDir, TRUSTED_DOCUMENTS_FILE: join(portalDir, 'persisted-documents.json') });
  open = await hub.startGateway({ PORTAL_DIR: portalDir });
});
afterAll(async () => hub?.stop());

const post = async (url: string, body: Record<string, unknown>, token = admin) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
};
const byHash = (operation: string, variables: Record<string, unknown> = {}) => ({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: idOf(operation) } } });

describe('the portal\'s trusted documents on the gateway', () => {
  it('trusted-documents mode runs the portal\'s documents by hash and refuses any other', async () => {
    const directory = await post(trusted.url, byHash('query PortalDirectory'));
    expect(directory.body.errors).toBeUndefined();
    expect(directory.body.data).toHaveProperty('partners.nodes');
    const text = await post(trusted.url, { query: '{ partners { nodes { id } } }' });
    expect(text.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('trusted-documents mode still serves the gateway\'s own routes (CSV reports, the data export)', async () => {
    const base = new URL(trusted.url).origin;
    const csv = await fetch(`${base}/reports/kpis.csv?month=${new Date().toISOString().slice(0, 7)}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(csv.status, await csv.clone().text()).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const exported = await fetch(`${base}/members/${member.id}/export.json`, { headers: { authorization: `Bearer ${await hub.memberToken(member.id)}` } });
    expect(exported.status).toBe(200);
    expect(((await exported.json()) as { memberId: string }).memberId).toBe(member.id);
    // and a client still cannot send those documents' text itself
    const own = await post(trusted.url, { query: 'query MemberExport($memberId: ID!) { members: membersMemberExport(memberId: $memberId) }', variables: { memberId: member.id } });
    expect(own.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('by default the portal\'s documents are known by hash from the start, and query text still runs', async () => {
    const directory = await post(open.url, byHash('query PortalDirectory'));
    expect(directory.body.errors).toBeUndefined();
    expect(directory.body.data).toHaveProperty('charities.nodes');
    const text = await post(open.url, { query: '{ partners(first: 1) { nodes { id } } }' });
    expect(text.body.errors).toBeUndefined();
  });
});
