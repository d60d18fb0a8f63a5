import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';
import {
  AppError,
  fieldOfRequestError,
  isPublicCode,
  withoutSuggestions,
  type Logger,
  type TokenVerifier,
  type Viewer,
} from '../../lib/src';
import { useDirectiveAuth } from './directive-auth';
import { clientAddress, type RateLimiter } from './rate-limit';

export interface HubGatewayContext {
  viewer: Viewer;
  requestId: string;
}

interface RequestState {
  viewer?: Viewer;
  requestId: string;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

function json(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId, ...headers },
  });
}

export interface HubPolicyOptions {
  verifier: TokenVerifier;
  logger: Logger;
  production: boolean;
  graphqlPath: string;
  rateLimiter?: RateLimiter;
  /** Proxies in front of the gateway whose X-Forwarded-For entries are trusted (rate limits per address). */
  trustProxyHops?: number;
}

/**
 * Gateway policy around the Hive runtime:
 * - the bearer token is verified when the request arrives, before the document is even parsed, so an
 *   unauthenticated caller learns nothing about the schema and never reaches a subgraph;
 * - the caller's rate budget is counted then too (RATE_LIMITED, HTTP 429 with Retry-After);
 * - the supergraph's auth directives are enforced with the verified viewer (see `useDirectiveAuth`);
 * - every error leaving the gateway carries a contract code: refusals pass through (with only `code` and
 *   `field`), malformed requests become BAD_USER_INPUT naming the field, everything else is INTERNAL
 *   with the request id under which the cause was logged (the subgraph's, when a subgraph failed); a
 *   subscription's events are shaped the same way, one by one.
 */
export function createHubPolicy(options: HubPolicyOptions): GatewayPlugin<HubGatewayContext>[] {
  const state = new WeakMap<Request, RequestState>();
  return [useHubPolicy(options, state), useDirectiveAuth((context) => (context as Partial<HubGatewayContext>).viewer)];
}

function useHubPolicy(options: HubPolicyOptions, state: WeakMap<Request, RequestState>): GatewayPlugin<HubGatewayContext> {

  const shape = (error: GraphQLError, requestId: string): GraphQLError => {
    const extensions = (error.extensions ?? {}) as Record<string, unknown>;
    const code = extensions.code;
    const message = options.production ? withoutSuggestions(error.message) : error.message;
    // Yoga's HTTP status for a refused request, as the GraphQL-over-HTTP spec asks (Yoga keeps it out of
    // the body): 405 with Allow for a mutation over GET; 400 for a document that does not parse, validate
    // or coerce its variables, 200 instead for a client accepting only the legacy application/json (`spec`).
    // A request that is not a GraphQL request at all (invalid JSON, no query: Yoga's BAD_REQUEST) is 400
    // whatever the client accepts.
    const yogaHttp = extensions.http !== null && typeof extensions.http === 'object' ? (extensions.http as Record<string, unknown>) : undefined;
    const http = yogaHttp ? { http: code === 'BAD_REQUEST' ? { ...yogaHttp, spec: false } : yogaHttp } : {};
    if (isPublicCode(code) && code !== 'INTERNAL') {
      const field = code === 'BAD_USER_INPUT' ? (typeof extensions.field === 'string' ? extensions.field : fieldOfRequestError(error.message)) : undefined;
      return new GraphQLError(message, { path: error.path, extensions: { code, ...(field ? { field } : {}), ...http } });
    }
    if (code === 'INTERNAL' && typeof extensions.requestId === 'string') {
      return new GraphQLError('Internal error', { path: error.path, extensions: { code: 'INTERNAL', requestId: extensions.requestId } });
    }
    const original = error.originalError;
    const fromGraphQL = !original || (original instanceof GraphQLError && !original.originalError);
    if (!error.path && fromGraphQL) {
      // Parse, validation and variable coercion errors (graphql-js raised them, before any resolver ran):
      // the request itself is malformed. The query planner checks variables without Yoga's status: the
      // spec's (400, or 200 for a legacy application/json client) stands for those too.
      const spec = yogaHttp ? http : { http: { status: 400, spec: true } };
      return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: 'BAD_USER_INPUT', field: fieldOfRequestError(error.message), ...spec } });
    }
    options.logger.error('request failed', {
      requestId,
      path: error.path,
      code,
      service: extensions.serviceName,
      message: error.message,
      error: error.originalError ?? error,
    });
    return new GraphQLError('Internal error', { path: error.path, extensions: { code: 'INTERNAL', requestId } });
  };

  return {
    async onRequest({ request, url, endResponse, serverContext }) {
      const incoming = request.headers.get('x-request-id');
      const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      state.set(request, { requestId });
      if (url.pathname !== options.graphqlPath) return;
      let viewer: Viewer | undefined;
      let refusal: AppError | undefined;
      try {
        viewer = await options.verifier.verify(request.headers.get('authorization'));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        refusal = error;
      }
      // Counted once the caller is known: a partner's budget is shared by all its clients; requests
      // without a valid token draw on their address's budget, so token guessing is throttled too.
      if (options.rateLimiter) {
        const socket = (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket;
        const address = clientAddress(request.headers.get('x-forwarded-for'), socket?.remoteAddress, options.trustProxyHops ?? 0);
        const verdict = await options.rateLimiter.check(viewer, address);
        if (!verdict.allowed) {
          const retryAfter = String(Math.max(1, Math.ceil(verdict.resetMs / 1000)));
          endResponse(json(429, { errors: [{ message: 'Too many requests; retry later', extensions: { code: 'RATE_LIMITED' } }] }, requestId, { 'retry-after': retryAfter }));
          return;
        }
      }
      if (refusal) {
        endResponse(json(401, { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] }, requestId));
        return;
      }
      state.set(request, { requestId, viewer });
    },
    onContextBuilding({ context, extendContext }) {
      const found = state.get(context.request);
      if (!found?.viewer) throw new AppError('UNAUTHENTICATED');
      extendContext({ viewer: found.viewer, requestId: found.requestId });
    },
    // A subscription's events are results too: each is shaped as a query's result is (below), as it is sent.
    onSubscribe() {
      return {
        onSubscribeResult() {
          return {
            onNext({ args, result, setResult }) {
              if (!result.errors?.length) return;
              const requestId = (args.contextValue as Partial<HubGatewayContext>).requestId ?? randomUUID();
              setResult({ ...result, errors: (result.errors as readonly GraphQLError[]).map((e) => shape(e, requestId)) });
            },
          };
        },
      };
    },
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || !('errors' in result) || !result.errors?.length) return;
      const requestId = state.get(request)?.requestId ?? randomUUID();
      const errors = (result.errors as readonly GraphQLError[]).map((e) => shape(e, requestId));
      // An error with a path was raised while executing, so the response carries `data` (null when the
      // error reached the root), as the GraphQL spec says; the Rust planner's executor leaves it out.
      const executed = !('data' in result) || result.data === undefined ? errors.some((e) => e.path !== undefined) : false;
      setResult(executed ? { ...result, data: null, errors } : { ...result, errors });
    },
    onResponse({ request, response }) {
      const requestId = state.get(request)?.requestId;
      if (requestId && !response.headers.has('x-request-id')) response.headers.set('x-request-id', requestId);
    },
  };
}
