import { type Viewer } from './auth';
import { AppError, isPublicCode } from './errors';
import { hubFetch } from './in-process';

export interface SubgraphClient {
  /** Runs `query` on the other subgraph as the same caller (the bearer token is forwarded unchanged). */
  request<T>(query: string, variables: Record<string, unknown>, viewer: Viewer, requestId: string): Promise<T>;
}

/**
 * A subgraph calling another subgraph directly, for reads that must be authoritative (a partner's
 * status and terms, whether a member exists). The callee re-verifies the token, so no privilege is
 * gained; its refusals come back as the same error codes. Node's fetch keeps connections alive.
 */
export function createSubgraphClient(url: string, timeoutMs = 5_000): SubgraphClient {
  return {
    async request<T>(query: string, variables: Record<string, unknown>, viewer: Viewer, requestId: string): Promise<T> {
      const response = await hubFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${viewer.token}`,
          'x-request-id': requestId,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
      const error = body.errors?.[0];
      if (error) {
        const code = error.extensions?.code;
        if (isPublicCode(code) && code !== 'INTERNAL') throw new AppError(code, error.message);
        throw new Error(`subgraph ${url} failed: ${error.message}`);
      }
      if (!body.data) throw new Error(`subgraph ${url} answered ${response.status} without data`);
      return body.data;
    },
  };
}
