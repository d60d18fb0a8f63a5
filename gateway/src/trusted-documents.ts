import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../lib/src';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Reads a trusted-documents manifest: either a JSON object `{ "<sha256 hex>": "<document>" }` (an id may
 * carry the `sha256:` prefix, as GraphQL Code Generator's client preset writes them) or an
 * Apollo persisted-query manifest `{ "format": "apollo-persisted-query-manifest", "operations":
 * [{ "id", "body" }] }`. Every id must be the SHA-256 (hex) of its document, so a manifest cannot map a
 * known id to another operation by mistake; a bad manifest stops the gateway at start.
 */
export function loadTrustedDocuments(path: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  TRUSTED_DOCUMENTS_FILE: cannot read ${path} as JSON (${(error as Error).message})`);
  }
  const entries: [string, unknown][] =
    parsed && typeof parsed === 'object' && (parsed as { format?: unknown }).format === 'apollo-persisted-query-manifest'
      ? ((parsed as { operations?: { id?: unknown; body?: unknown }[] }).operations ?? []).map((o) => [String(o.id), o.body])
      : Object.entries((parsed ?? {}) as Record<string, unknown>);
  const documents = new Map<string, string>();
  for (const [prefixed, body] of entries) {
    const id = prefixed.replace(/^sha256:/, '');
    if (typeof body !== 'string' || !SHA256_HEX.test(id) || createHash('sha256').update(body).digest('hex') !== id) {
      throw new ConfigError(`Invalid configuration:\n  TRUSTED_DOCUMENTS_FILE: entry ${id.slice(0, 80)} is not the SHA-256 of its document`);
    }
    documents.set(id, body);
  }
  if (documents.size === 0) throw new ConfigError('Invalid configuration:\n  TRUSTED_DOCUMENTS_FILE: the manifest lists no documents');
  return documents;
}

/**
 * The id a request names its document by: `documentId` (GraphQL over HTTP persisted documents, with or
 * without a `sha256:` prefix) or the APQ extension's `persistedQuery.sha256Hash`.
 */
export function documentIdOf(params: { extensions?: Record<string, unknown> } & Record<string, unknown>): string | null {
  const documentId = params.documentId;
  if (typeof documentId === 'string') return documentId.replace(/^sha256:/, '');
  const persisted = params.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
  if (persisted && typeof persisted === 'object' && persisted.version === 1 && typeof persisted.sha256Hash === 'string') return persisted.sha256Hash;
  return null;
}
