import { createHash } from 'node:crypto';
import { type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * Documents by SHA-256, in memory, bounded in count and in characters: the least recently used go first.
 * Losing one costs a client one round trip (it is told PERSISTED_QUERY_NOT_FOUND and sends the query).
 */
export class PersistedQueryStore {
  private readonly documents = new Map<string, string>();
  private size = 0;

  constructor(
    private readonly maxDocuments = 1_000,
    private readonly maxChars = 4 * 1024 * 1024,
    /** Documents known from the start and never evicted (the portal's manifest), by SHA-256. */
    private readonly pinned: ReadonlyMap<string, string> = new Map(),
  ) {}

  get(hash: string): string | undefined {
    const known = this.pinned.get(hash);
    if (known !== undefined) return known;
    const document = this.documents.get(hash);
    if (document !== undefined) {
      this.documents.delete(hash); // re-inserted: now the most recently used
      this.documents.set(hash, document);
    }
    return document;
  }

  set(hash: string, document: string): void {
    if (this.pinned.has(hash)) return;
    if (document.length > this.maxChars || this.documents.has(hash)) return;
    this.documents.set(hash, document);
    this.size += document.length;
    for (const [oldest, evicted] of this.documents) {
      if (this.documents.size <= this.maxDocuments && this.size <= this.maxChars) break;
      this.documents.delete(oldest);
      this.size -= evicted.length;
    }
  }

  get count(): number {
    return this.documents.size;
  }
}

const notFound = () =>
  new GraphQLError('PersistedQueryNotFound', {
    // 200, as Apollo Server answers: Apollo's PersistedQueryLink stops using hashes after a 400 or 500.
    extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 200, headers: { 'cache-control': 'private, no-cache, must-revalidate' } } },
  });

const refused = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: 'extensions.persistedQuery', http: { status: 400 } } });

/**
 * Automatic persisted queries (Apollo's protocol, `extensions.persistedQuery: { version: 1, sha256Hash }`):
 * a request with only the hash runs the document stored under it, or answers PERSISTED_QUERY_NOT_FOUND;
 * the client then sends hash and query together, and the document is stored once it validates. A hash
 * that is not the query's SHA-256 is refused, so no hash can be made to name another operation. Not
 * installed in trusted-documents mode, where only the manifest's documents run.
 */
export function useAutomaticPersistedQueries(store = new PersistedQueryStore()): GatewayPlugin {
  const pending = new WeakMap<Request, { hash: string; query: string }>();
  return {
    onParams({ params, request, setParams }) {
      const extension = params.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
      if (extension === undefined || extension === null) return;
      if (typeof extension !== 'object' || extension.version !== 1 || typeof extension.sha256Hash !== 'string' || !SHA256_HEX.test(extension.sha256Hash)) {
        throw refused('persistedQuery must be { version: 1, sha256Hash: <SHA-256 of the query, hex> }');
      }
      const hash = extension.sha256Hash.toLowerCase();
      if (params.query === undefined || params.query === null || params.query === '') {
        const query = store.get(hash);
        if (query === undefined) throw notFound();
        setParams({ ...params, query });
        return;
      }
      if (typeof params.query !== 'string') return; // Yoga refuses a non-string query itself
      if (createHash('sha256').update(params.query).digest('hex') !== hash) throw refused('persistedQuery.sha256Hash is not the SHA-256 of the query');
      pending.set(request, { hash, query: params.query });
    },
    onValidate({ context }) {
      const request = (context as { request?: Request }).request;
      const registering = request && pending.get(request);
      if (!registering) return;
      return ({ valid }) => {
        if (valid) store.set(registering.hash, registering.query);
      };
    },
  };
}
