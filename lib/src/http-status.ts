import { type ApolloServerPlugin, type BaseContext } from '@apollo/server';

/** Apollo copies the context it is given; the viewer inside is the request's own object (see auth.ts). */
interface RequestContext extends BaseContext {
  viewer: object;
}

/**
 * The GraphQL-over-HTTP status of a document the server refused (a parse, validation or variable
 * coercion error, so no `data`): Apollo Server answers 400 whatever the client accepts; the spec asks
 * for 400 under `application/graphql-response+json` but 200 under the legacy `application/json`, whose
 * clients may not read a GraphQL body from a 4xx. Requests refused before the document is read (no
 * query, a malformed body) keep their 400 either way.
 */
export function documentErrorStatus(): {
  plugin: ApolloServerPlugin<RequestContext>;
  /** The status to answer with, given Apollo's status and content type and the request's viewer. */
  status(viewer: object, status: number, contentType: string | undefined): number;
} {
  const refused = new WeakSet<object>();
  return {
    plugin: {
      async requestDidStart() {
        return {
          async willSendResponse({ response, contextValue }) {
            if (response.http.status === 400 && response.body.kind === 'single' && !('data' in response.body.singleResult)) refused.add(contextValue.viewer);
          },
        };
      },
    },
    status(viewer, status, contentType) {
      const legacy = /^application\/json\s*(;|$)/i.test(contentType ?? '');
      return status === 400 && legacy && refused.has(viewer) ? 200 : status;
    },
  };
}
