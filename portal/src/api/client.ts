import { persistedExchange } from '@urql/exchange-persisted';
import { Client, cacheExchange, fetchExchange } from 'urql';

/**
 * The portal's GraphQL client (urql). It sends trusted documents only: each operation goes as the SHA-256
 * of its document from the generated manifest (src/gql/persisted-documents.json, GraphQL Code Generator's
 * client preset), never as query text; a request that would carry a query is refused here, before it leaves.
 */
export class UntrustedDocumentError extends Error {}

const documentHash = (document: unknown): string => {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string') throw new UntrustedDocumentError('This operation is not in the trusted-documents manifest');
  return hash.replace(/^sha256:/, '');
};

/** fetch, refusing any GraphQL request that carries query text (only hashes of trusted documents go out). */
export const trustedOnlyFetch: typeof fetch = (input, init) => {
  if (typeof init?.body === 'string' && (JSON.parse(init.body) as { query?: unknown }).query !== undefined) {
    return Promise.reject(new UntrustedDocumentError('Only trusted documents are sent'));
  }
  return fetch(input, init);
};

export function createApiClient(getToken: () => string | null): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    // Subscriptions (the member's live balance) go through fetch too: GraphQL over Server-Sent Events.
    fetchSubscriptions: true,
    exchanges: [
      cacheExchange,
      persistedExchange({
        enforcePersistedQueries: true,
        enableForMutation: true,
        enableForSubscriptions: true,
        preferGetForPersistedQueries: false,
        generateHash: async (_query, document) => documentHash(document),
      }),
      fetchExchange,
    ],
    fetch: trustedOnlyFetch,
    fetchOptions: (): RequestInit => {
      const token = getToken();
      return { headers: token ? { authorization: `Bearer ${token}` } : {} };
    },
  });
}
