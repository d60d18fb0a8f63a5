import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/src';
import { documentIdOf, loadTrustedDocuments } from '../src/trusted-documents';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const write = (content: unknown) => {
  const path = join(mkdtempSync(join(tmpdir(), 'hub-trusted-')), 'manifest.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('trusted-documents manifest', () => {
  const doc = '{ tiers { name } }';

  it('reads a hash-to-document map and an Apollo persisted-query manifest', () => {
    expect(loadTrustedDocuments(write({ [sha256(doc)]: doc })).get(sha256(doc))).toBe(doc);
    const apollo = { format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256(doc), name: 'Tiers', type: 'query', body: doc }] };
    expect(loadTrustedDocuments(write(apollo)).get(sha256(doc))).toBe(doc);
  });

  it('reads ids with the sha256: prefix, as GraphQL Code Generator writes them', () => {
    expect(loadTrustedDocuments(write({ [`sha256:${sha256(doc)}`]: doc })).get(sha256(doc))).toBe(doc);
    expect(() => loadTrustedDocuments(write({ [`sha256:${sha256('{ me { id } }')}`]: doc }))).toThrow(ConfigError);
  });

  it('refuses, at start, an id that is not the SHA-256 of its document, an empty manifest and unreadable JSON', () => {
    expect(() => loadTrustedDocuments(write({ [sha256(doc)]: '{ partners { nodes { id } } }' }))).toThrow(ConfigError);
    expect(() => loadTrustedDocuments(write({ 'my-op': doc }))).toThrow(ConfigError);
    expect(() => loadTrustedDocuments(write({}))).toThrow(ConfigError);
    expect(() => loadTrustedDocuments(write('{ not json'))).toThrow(ConfigError);
  });

  it('takes the id from documentId (with or without sha256:) or the APQ extension', () => {
    expect(documentIdOf({ documentId: 'abc' })).toBe('abc');
    expect(documentIdOf({ documentId: 'sha256:abc' })).toBe('abc');
    expect(documentIdOf({ extensions: { persistedQuery: { version: 1, sha256Hash: 'def' } } })).toBe('def');
    expect(documentIdOf({ extensions: { persistedQuery: { version: 2, sha256Hash: 'def' } } })).toBeNull();
    expect(documentIdOf({ query: doc })).toBeNull();
  });
});
