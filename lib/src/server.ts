import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValidationRule,
} from 'graphql';
import { type AuditLog } from './audit';
import { registerInProcess } from './in-process';
import { type TokenVerifier, type Viewer } from './auth';
import { AppError, fieldOfRequestError, isPublicCode, withoutSuggestions } from './errors';
import { documentErrorStatus } from './http-status';
import { armorConfig, SUBGRAPH_LIMITS, type DocumentLimits } from './limits';
import { type Logger } from './logger';
import { metricsAnswer, outcomeOf, type HubMetrics } from './metrics';
import { traceRequestId } from './tracing';
import { type RateLimiter } from './rate-limit';
import { createSubscriptionHandler, wantsEventStream } from './subscriptions';

/** What every subgraph resolver receives; subgraphs extend it with their services and loaders. */
export interface BaseSubgraphContext extends BaseContext {
  viewer: Viewer;
  requestId: string;
  /** This subgraph's audit log; every root mutation is recorded in it (see audit.ts). */
  audit?: AuditLog;
}

export interface SubgraphServerOptions<C extends BaseSubgraphContext> {
  name: string;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  logger: Logger;
  host: string;
  port: number;
  production: boolean;
  /** Builds the per-request context (services, fresh DataLoaders) for a verified caller. */
  createContext(viewer: Viewer, requestId: string): C;
  /** Throws when a dependency (the database) is unreachable; drives `/readyz`. */
  checkReady(): Promise<void>;
  maxBodyBytes?: number;
  /** Depth, aliases, directives, tokens and cost of one document. */
  limits?: DocumentLimits;
  /** Root fields a service credential may select (service-token.ts); it may select nothing else. */
  internalOperations?: readonly string[];
  /** Budgets per caller for requests over HTTP (rate-limit.ts); unset: no limit. */
  rateLimiter?: RateLimiter;
  /**
   * Completes a verified viewer before anything runs (the member a token's identity is linked to, see
   * member-link.ts); an AppError it raises (UNAUTHENTICATED) answers as a refused token does.
   */
  resolveViewer?(viewer: Viewer, requestId: string): Promise<Viewer>;
  /** This server's Prometheus registry, served at GET /metrics (behind `metricsToken` when set). */
  metrics?: HubMetrics;
  metricsToken?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Codes graphql-js and Apollo Server give malformed requests; answered as BAD_USER_INPUT. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Every error a client sees carries a contract code: our own refusals as raised, malformed requests as
 * BAD_USER_INPUT naming the field, and anything else masked as INTERNAL (no stack, SQL or table names).
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  formatted = { ...formatted, message: withoutLimits(formatted.message) };
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  const code = formatted.extensions?.code;
  if (original instanceof AppError || (isPublicCode(code) && code !== 'INTERNAL' && code !== 'BAD_USER_INPUT')) {
    return { message: formatted.message, path: formatted.path, extensions: { code, ...(formatted.extensions?.field ? { field: formatted.extensions.field } : {}) } };
  }
  if (REQUEST_ERROR_CODES.has(String(code))) {
    const field = typeof formatted.extensions?.field === 'string' ? formatted.extensions.field : fieldOfRequestError(formatted.message);
    return { message: withoutSuggestions(formatted.message), locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT', field } };
  }
  return { message: 'Internal error', path: formatted.path, extensions: { code: 'INTERNAL' } };
}

/** graphql-js's own token limit names its figure; the limits are not echoed to callers. */
function withoutLimits(message: string): string {
  return message.replace(/Document contains more (?:than|that) \d+ tokens\. Parsing aborted\./, 'Document contains too many tokens');
}

/** The root field names an operation selects, through fragments. */
function rootFields(operation: OperationDefinitionNode, document: DocumentNode): string[] {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const names: string[] = [];
  const visit = (selections: readonly SelectionNode[], seen: Set<string>) => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet.selections, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment.selectionSet.selections, seen);
      }
    }
  };
  visit(operation.selectionSet.selections, new Set());
  return names;
}

/**
 * Who may select what at the root: a service credential only the internal operations (never a public
 * field), and `_service` (the full SDL, internal operations included) only a service credential in
 * production; in development anyone authenticated may read it, for tooling. A subscription is refused
 * here: it is served as an event stream (subscriptions.ts), never as JSON.
 */
function rootAccessPlugin(internalOperations: ReadonlySet<string>, production: boolean): ApolloServerPlugin<BaseSubgraphContext> {
  const refuse = (message: string) => new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 200 } } });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (!operation) return;
          // Subscriptions are served as event streams only (subscriptions.ts): over JSON there is no stream to send events on.
          if (operation.operation === 'subscription') {
            throw new GraphQLError('Subscriptions are served as an event stream: send Accept: text/event-stream', { extensions: { code: 'BAD_USER_INPUT', field: 'query', http: { status: 400 } } });
          }
          const fields = rootFields(operation, document);
          const service = contextValue.viewer.service === true;
          if (service && fields.some((f) => f !== '__typename' && f !== '_service' && !internalOperations.has(f))) {
            throw refuse('A service credential is good for internal operations only');
          }
          if (production && !service && fields.includes('_service')) throw refuse('The subgraph schema is not served to callers in production');
        },
      };
    },
  };
}

/** Counts and times each GraphQL request by operation name and outcome (metrics.ts). */
function requestMetricsPlugin(metrics: HubMetrics): ApolloServerPlugin<BaseSubgraphContext> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      let operationName = request.operationName;
      return {
        async didResolveOperation({ operation }) {
          operationName = operation?.name?.value ?? operationName;
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          metrics.observeRequest(operationName, outcomeOf(errors), (performance.now() - started) / 1000);
        },
      };
    },
  };
}

function errorPlugin(logger: Logger): ApolloServerPlugin<BaseSubgraphContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const original = error.originalError ?? error;
            if (original instanceof AppError || REQUEST_ERROR_CODES.has(String(error.extensions?.code))) continue;
            logger.error('request failed', { requestId: contextValue.requestId, path: error.path, error: original });
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            if (error.extensions?.code === 'INTERNAL') {
              (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
            }
          }
        },
      };
    },
  };
}

/** Reads the body up to `limit` bytes; past it, drains the rest unbuffered and fails with status 413. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) reject(Object.assign(new Error('Request body too large'), { status: 413 }));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

interface SubgraphRequest {
  method: string;
  /** Path and query string. */
  url: string;
  headers: Record<string, string | undefined>;
  /** The body as text, refusing (status 413) past `limit` bytes. */
  body(limit: number): Promise<string>;
  /** Drops an unread body. */
  discard(): void;
  /** The peer's address over HTTP; unset for a call handed over in-process. */
  remoteAddress?: string;
  /** Handed over in-process by a gateway or subgraph in this same process (never from the network). */
  inProcess?: boolean;
}

interface SubgraphAnswer {
  status: number;
  headers: Record<string, string>;
  /** A stream (an event stream, incremental delivery) is ended early with `return()` when its client goes away. */
  body: string | AsyncIterable<string>;
}

/** `stream`, calling `done` once it ends (completed, failed, or ended early). */
function untilDone(stream: AsyncGenerator<string, void, undefined>, done: () => void): AsyncGenerator<string, void, undefined> {
  return {
    next: () => stream.next().then((r) => (r.done && done(), r), (e: unknown) => (done(), Promise.reject(e))),
    return: (value) => (done(), stream.return(value)),
    throw: (error) => (done(), stream.throw(error)),
    [Symbol.asyncIterator]() {
      return this;
    },
  } as AsyncGenerator<string, void, undefined>;
}

const TOO_LARGE = { errors: [{ message: 'Request body too large', extensions: { code: 'BAD_USER_INPUT', field: 'body' } }] };

function json(status: number, body: unknown, extraHeaders: Record<string, string> = {}): SubgraphAnswer {
  const text = JSON.stringify(body);
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...extraHeaders }, body: text };
}

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

function errorBody(code: string, message: string, requestId: string): unknown {
  return { errors: [{ message, extensions: { code, ...(code === 'INTERNAL' ? { requestId } : {}) } }] };
}

/**
 * Serves one subgraph over HTTP: `/graphql` (bearer token verified before any execution), `/healthz`
 * (process up) and `/readyz` (database reachable). Apollo Server runs with batching and its landing
 * page off, CSRF prevention on, introspection only outside production and every unexpected error masked.
 */
export async function startSubgraphServer<C extends BaseSubgraphContext>(options: SubgraphServerOptions<C>): Promise<RunningServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  const limits = options.limits ?? SUBGRAPH_LIMITS;
  // graphql-armor's validation rules (depth, aliases, directives, cost); the token limit is graphql-js's
  // own, enforced while parsing. Apollo Server hides field suggestions in production by itself.
  const armor = new ApolloArmor({ ...armorConfig(limits, options.production), maxTokens: { enabled: false }, blockFieldSuggestion: { enabled: false } }).protect();
  const statuses = documentErrorStatus();
  const apollo = new ApolloServer<C>({
    schema: options.schema,
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    introspection: !options.production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: options.production,
    formatError: maskError,
    // The process stops its parts in order on SIGTERM (background work, then servers, then pools); Apollo's
    // own signal handler would stop every server at once, under a relay still calling one of them.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(armor.plugins as ApolloServerPlugin<C>[]),
      errorPlugin(options.logger) as ApolloServerPlugin<C>,
      statuses.plugin as ApolloServerPlugin<C>,
      rootAccessPlugin(new Set(options.internalOperations ?? []), options.production) as ApolloServerPlugin<C>,
      ...(options.metrics ? [requestMetricsPlugin(options.metrics) as ApolloServerPlugin<C>] : []),
    ],
  });
  await apollo.start();
  // Subscriptions (a subgraph whose schema has any) over Server-Sent Events, with the same token, budget and limits.
  const subscriptions = options.schema.getSubscriptionType()
    ? createSubscriptionHandler<C>({
        schema: options.schema,
        validationRules: armor.validationRules as ValidationRule[],
        maxTokens: limits.maxTokens,
        createContext: options.createContext,
        formatError: (error) => {
          const formatted = maskError(error.toJSON(), error);
          if (formatted.extensions?.code !== 'INTERNAL') return formatted;
          options.logger.error('subscription failed', { path: error.path, error: error.originalError ?? error });
          return formatted;
        },
        metrics: options.metrics,
      })
    : undefined;
  /** Event streams being sent: ended when the server stops, so that it can. */
  const streams = new Set<AsyncGenerator<string, void, undefined>>();

  /** One request, whichever way it arrived (HTTP, or in-process from the gateway of a single-process hub). */
  const answer = async (req: SubgraphRequest): Promise<SubgraphAnswer> => {
    const url = new URL(req.url, 'http://subgraph');
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    if (url.pathname === '/healthz') return json(200, { status: 'ok', service: options.name });
    if (url.pathname === '/readyz') {
      try {
        await options.checkReady();
        return json(200, { status: 'ready', service: options.name });
      } catch {
        return json(503, { status: 'unavailable', service: options.name });
      }
    }
    if (url.pathname === '/metrics' && options.metrics && !req.inProcess) return metricsAnswer(options.metrics, req.headers.authorization, options.metricsToken);
    if (url.pathname !== '/graphql') return json(404, { error: 'not found' });
    traceRequestId(requestId);

    let verified: Viewer | undefined;
    let refusal: AppError | undefined;
    try {
      verified = await options.verifier.verify(req.headers.authorization);
      if (options.resolveViewer) verified = await options.resolveViewer(verified, requestId);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      refusal = error;
    }
    // The port's own budget per caller, as at the gateway (a partner's clients share one). Not counted: calls
    // handed over in-process (the gateway or a subgraph of this process already counted the request) and the
    // hub's own service credentials (relays and reconcilers, driven by requests counted where they came in).
    if (options.rateLimiter && !req.inProcess && verified?.service !== true) {
      const verdict = await options.rateLimiter.check(verified, req.remoteAddress ?? 'unknown');
      if (!verdict.allowed) {
        req.discard();
        const retryAfter = String(Math.max(1, Math.ceil(verdict.resetMs / 1000)));
        options.metrics?.observeRequest(undefined, 'RATE_LIMITED', 0);
        return json(429, errorBody('RATE_LIMITED', 'Too many requests; retry later', requestId), { 'retry-after': retryAfter, 'x-request-id': requestId });
      }
    }
    if (refusal || !verified) {
      options.metrics?.observeRequest(undefined, refusal?.code ?? 'UNAUTHENTICATED', 0);
      return json(401, errorBody(refusal?.code ?? 'UNAUTHENTICATED', refusal?.message ?? 'Unauthenticated', requestId));
    }
    const viewer = verified;

    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) {
      req.discard(); // drain unread, so the client gets the answer rather than a reset
      return json(413, TOO_LARGE);
    }
    const body = req.method === 'POST' ? await req.body(maxBodyBytes) : '';
    if (subscriptions && wantsEventStream(req.headers.accept)) {
      const out = await subscriptions({ method: req.method, url: req.url, headers: req.headers, body, viewer, requestId });
      if (typeof out.body === 'string') return { ...out, body: out.body };
      const stream = out.body;
      streams.add(stream);
      return { ...out, body: untilDone(stream, () => streams.delete(stream)) };
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, value);
    }
    let parsed: unknown = body;
    if ((headers.get('content-type') ?? '').includes('json') && body.length > 0) {
      try {
        parsed = JSON.parse(body);
      } catch {
        return json(400, { errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_USER_INPUT', field: 'body' } }] });
      }
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method, headers, search: url.search, body: parsed },
      context: async () => options.createContext(viewer, requestId),
    });
    const outHeaders: Record<string, string> = { 'x-request-id': requestId };
    for (const [key, value] of response.headers) outHeaders[key] = value;
    const status = statuses.status(viewer, response.status ?? 200, response.headers.get('content-type'));
    return { status, headers: outHeaders, body: response.body.kind === 'complete' ? response.body.string : response.body.asyncIterator };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    const out = await answer({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body: (limit) => readBody(req, limit), discard: () => req.resume(), remoteAddress: req.socket.remoteAddress });
    res.writeHead(out.status, out.headers);
    if (typeof out.body === 'string') {
      res.end(out.body);
    } else {
      // Read by hand rather than with for-await, so that a client going away ends the stream (an open
      // subscription) at once instead of at its next event.
      const iterator = out.body[Symbol.asyncIterator]();
      const stop = () => void iterator.return?.()?.catch(() => undefined);
      res.once('close', stop);
      for (;;) {
        const { value, done } = await iterator.next();
        if (done || res.destroyed) break;
        res.write(value);
      }
      res.off('close', stop);
      res.end();
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = (error as { status?: number }).status;
      if (status === 413) {
        if (!res.headersSent) sendJson(res, 413, TOO_LARGE);
        return;
      }
      const requestId = randomUUID();
      options.logger.error('unhandled request error', { requestId, error });
      if (!res.headersSent) sendJson(res, 500, errorBody('INTERNAL', 'Internal error', requestId));
      else res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  const url = `http://${host}:${port}/graphql`;
  options.logger.info('subgraph listening', { url });
  // A gateway in this same process (the single-process hub) may call this subgraph without HTTP.
  const unregister = registerInProcess(url, async (request) => {
    const out = await answer({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: async (limit) => {
        if (Buffer.byteLength(request.body) > limit) throw Object.assign(new Error('Request body too large'), { status: 413 });
        return request.body;
      },
      discard: () => undefined,
      inProcess: true,
    }).catch((error: unknown) => {
      if ((error as { status?: number }).status === 413) return json(413, TOO_LARGE);
      const requestId = randomUUID();
      options.logger.error('unhandled request error', { requestId, error });
      return json(500, errorBody('INTERNAL', 'Internal error', requestId));
    });
    // A stream (a subscription's events) is handed over as it comes; the caller ends it with `return()`.
    return { status: out.status, headers: out.headers, body: out.body };
  });

  return {
    url,
    port,
    async stop() {
      unregister();
      for (const stream of [...streams]) await stream.return(undefined).catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
    },
  };
}
