import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { type TokenVerifier } from '../lib/src';

interface PeerContext {
  authorization: string;
}

/**
 * The peer an Apollo user would deploy: `@apollo/gateway` (a devDependency, used only here) on the same
 * supergraph, verifying the bearer token in Apollo Server's context and forwarding it to each subgraph.
 */
export async function startApolloPeer(supergraphSdl: string, verifier: TokenVerifier): Promise<{ url: string; stop(): Promise<void> }> {
  // @apollo/gateway refuses supergraphs with SECURITY features it cannot enforce (`@authenticated`,
  // `@requiresScopes`: a GraphOS router feature). Declared as plain links they are ignored, as an
  // Apollo user without the router would have them; the subgraphs check every scope themselves.
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphSdl.replace(/(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[\d.]+"), for: SECURITY\)/g, '$1)'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<PeerContext>({
        url,
        willSendRequest({ request, context }) {
          request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<PeerContext>({ gateway, introspection: false });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      const authorization = req.headers.authorization ?? '';
      await verifier.verify(authorization);
      return { authorization };
    },
  });
  return { url, stop: () => server.stop() };
}
