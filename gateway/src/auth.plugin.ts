import { randomUUID } from 'node:crypto';
import { type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { type TokenVerifier, type Viewer } from '../../subgraphs/shared/src';

export interface HubGatewayContext {
  viewer: Viewer;
  requestId: string;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Verifies the bearer token of every GraphQL request before it is planned or sent anywhere; an
 * unauthenticated request never reaches a subgraph. The viewer and a request id join the context.
 */
export function useHubAuth(verifier: TokenVerifier): GatewayPlugin<HubGatewayContext> {
  return {
    async onContextBuilding({ context, extendContext }) {
      const incoming = context.request.headers.get('x-request-id');
      const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      const viewer = await verifier.verify(context.request.headers.get('authorization'));
      extendContext({ viewer, requestId });
    },
  };
}
