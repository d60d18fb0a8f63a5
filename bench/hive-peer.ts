import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler as routerPlanner } from '@graphql-hive/router-runtime';
import { hubFetch } from '../lib/src';

/**
 * The Hive gateway runtime as a peer, on the same supergraph, with no plugins: no token check, no rate or query
 * limits, no metrics, no tracing, no access log; only the caller's Authorization header forwarded (each
 * subgraph verifies it).
 * - `stock`: the runtime's defaults (its JavaScript query planner, its own fetch, in-flight deduplication), as
 *   a new user gets it;
 * - `same-settings`: the runtime settings the hub's gateway runs with (Hive Router's planner, the hub's fetch, no
 *   in-flight deduplication), so that the only difference left is the hub's plugins: what
 *   `gatewayVsHiveSameSettings` prices.
 */
export async function startHivePeer(supergraphSdl: string, flavour: 'stock' | 'same-settings' = 'stock'): Promise<{ url: string; stop(): Promise<void> }> {
  const same = flavour === 'same-settings';
  const gateway = createGatewayRuntime({
    ...(same
      ? {
          unifiedGraphHandler: routerPlanner,
          // The hub's own upstream fetch (in this process it calls over the network, as in --mode processes).
          fetchAPI: { fetch: hubFetch },
          transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
        }
      : {}),
    supergraph: supergraphSdl,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
    },
  });
  const server = createServer(gateway);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await gateway.dispose();
    },
  };
}
