import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';

// Automatic persisted queries as Apollo's PersistedQueryLink speaks them: the hash alone first, the query
// along with it when the server does not know the hash, the hash alone again from then on.
let hub: TestHub;
let admin: string;
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.admin();
});
afterAll(async () => hub?.stop());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// What Apollo Client's HttpLink accepts.
const ACCEPT = 'application/graphql-response+json,application/json;q=0.9';

interface Answer {
  status: number;
  body: { data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, body: Record<string, unknown>, token = admin): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
const NOT_FOUND = { status: 200, body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] } };

describe('automatic persisted queries', () => {
  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, runs hash and query, then the hash alone', async () => {
    const query = `query Apq($name: String!) { __type(name: $name) { name } a${randomUUID().slice(0, 8)}: __typename }`;
    const hash = sha256(query);
    const variables = { name: 'Query' };
    expect(await post(hub.gatewayUrl, { extensions: persisted(hash), variables })).toEqual(NOT_FOUND);

    const registered = await post(hub.gatewayUrl, { query, extensions: persisted(hash), variables });
    expect(registered.status).toBe(200);
    expect(registered.body.errors).toBeUndefined();
    expect(registered.body.data?.__type).toEqual({ name: 'Query' });

    const byHash = await post(hub.gatewayUrl, { extensions: persisted(hash), variables: { name: 'Mutation' } });
    expect(byHash.status).toBe(200);
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data?.__type).toEqual({ name: 'Mutation' });

    // PersistedQueryLink's useGETForHashedQueries: the hash alone over GET.
    const url = new URL(hub.gatewayUrl);
    url.searchParams.set('extensions', JSON.stringify(persisted(hash)));
    url.searchParams.set('variables', JSON.stringify(variables));
    const get = await fetch(url, { headers: { accept: ACCEPT, authorization: `Bearer ${admin}` } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as Answer['body']).data?.__type).toEqual({ name: 'Query' });
  });

  it('refuses a hash that is not the query\'s SHA-256, and stores nothing under it', async () => {
    const query = `{ b${randomUUID().slice(0, 8)}: __typename }`;
    const other = sha256(`${query} `);
    const wrong = await post(hub.gatewayUrl, { query, extensions: persisted(other) });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ errors: [{ message: 'persistedQuery.sha256Hash is not the SHA-256 of the query', extensions: { code: 'BAD_USER_INPUT', field: 'extensions.persistedQuery' } }] });
    expect(await post(hub.gatewayUrl, { extensions: persisted(other) })).toEqual(NOT_FOUND);
    // A malformed extension is refused too, not ignored.
    const malformed = await post(hub.gatewayUrl, { query, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'extensions.persistedQuery' });
  });

  it('stores only a document that validates', async () => {
    const query = `{ c${randomUUID().slice(0, 8)}: noSuchField }`;
    const invalid = await post(hub.gatewayUrl, { query, extensions: persisted(sha256(query)) });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
    expect(await post(hub.gatewayUrl, { extensions: persisted(sha256(query)) })).toEqual(NOT_FOUND);
  });

  it('keeps trusted documents as they are: the manifest\'s hashes run, no other document can be registered', async () => {
    const tiers = 'query Tiers { tiers { name } }';
    const file = join(mkdtempSync(join(tmpdir(), 'hub-trusted-')), 'manifest.json');
    writeFileSync(file, JSON.stringify({ [sha256(tiers)]: tiers }));
    const trusted = await hub.startGateway({ TRUSTED_DOCUMENTS_FILE: file });
    const known = await post(trusted.url, { extensions: persisted(sha256(tiers)) });
    expect(known.body.errors).toBeUndefined();
    expect(known.body.data?.tiers).toBeInstanceOf(Array);

    const query = `{ d${randomUUID().slice(0, 8)}: __typename }`;
    const registering = await post(trusted.url, { query, extensions: persisted(sha256(query)) });
    expect(registering.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'documentId' });
    expect(registering.body.data).toBeUndefined();
    const again = await post(trusted.url, { extensions: persisted(sha256(query)) });
    expect(again.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'documentId' });
  });
});
