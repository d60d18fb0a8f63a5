import { mapAsyncIterator } from '@graphql-tools/utils';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { createHandler, type RequestParams } from 'graphql-sse';
import { type Viewer } from './auth';
import { type HubMetrics, outcomeOf } from './metrics';

/** What a subscription's resolvers receive: the subgraph's own context, built like a request's. */
export interface SubscriptionContext {
  viewer: Viewer;
  requestId: string;
}

export interface SubscriptionServerOptions<C extends SubscriptionContext> {
  schema: GraphQLSchema;
  /** The subgraph's document limits beyond graphql-js's own rules (graphql-armor: depth, aliases, cost). */
  validationRules: readonly ValidationRule[];
  maxTokens: number;
  createContext(viewer: Viewer, requestId: string): C;
  /** Shapes each error a client sees (the subgraph's masking: contract codes only). */
  formatError(error: GraphQLError): GraphQLFormattedError;
  metrics?: HubMetrics;
}

/** A request for a subscription, its token already verified and its budget counted. */
export interface SubscriptionRequest {
  method: string;
  /** Path and query string (a GET carries the operation there). */
  url: string;
  headers: Record<string, string | undefined>;
  /** A POST's JSON body, as text. */
  body: string;
  viewer: Viewer;
  requestId: string;
}

export interface SubscriptionAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | AsyncGenerator<string, void, undefined>;
}

/**
 * A request asks for an event stream when its Accept header names text/event-stream and no JSON type: a
 * client that also takes JSON (urql's queries list every type they read) is answered as JSON.
 */
export function wantsEventStream(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((type) => type.split(';')[0].trim().toLowerCase());
  return types.includes('text/event-stream') && !types.some((type) => type === 'application/json' || type === 'application/graphql-response+json' || type === 'application/graphql+json');
}

const refusal = (message: string, code = 'BAD_USER_INPUT', field?: string): ExecutionResult => ({
  errors: [new GraphQLError(message, { extensions: { code, ...(field ? { field } : {}) } })],
});

/**
 * GraphQL subscriptions over Server-Sent Events, in the "distinct connections" mode of the GraphQL over SSE
 * protocol (`graphql-sse`): one request per subscription, answered by an event stream of `next` events and a
 * final `complete`. The Hive gateway subscribes to a subgraph this way (its HTTP transport: `Accept:
 * text/event-stream`). The same rules as every request: the token was verified and the budget counted
 * before this runs; the document has the subgraph's limits and validation; only subscriptions run here (a
 * query or a mutation goes as JSON), and no service credential subscribes. Every error is shaped like a
 * query's. Each event is executed with a fresh context, as a request would be (no loader caches a balance
 * from one event to the next).
 */
export function createSubscriptionHandler<C extends SubscriptionContext>(options: SubscriptionServerOptions<C>): (req: SubscriptionRequest) => Promise<SubscriptionAnswer> {
  const rules = [...specifiedRules, ...options.validationRules];
  // Sent as JSON: formatted errors in place of GraphQLError objects.
  const format = (result: ExecutionResult): ExecutionResult =>
    result.errors?.length ? ({ ...result, errors: result.errors.map((e) => options.formatError(e)) } as unknown as ExecutionResult) : result;
  const observe = (args: { document?: DocumentNode; operationName?: string | null } | null, result: ExecutionResult | null) => {
    const operation = args?.document ? getOperationAST(args.document, args.operationName) : null;
    options.metrics?.observeRequest(operation?.name?.value ?? args?.operationName, outcomeOf(result?.errors as readonly { extensions?: { code?: unknown } }[] | undefined), 0);
  };

  // graphql-sse's context type wants an index signature; the context it carries is C.
  const handler = createHandler<SubscriptionRequest, SubscriptionRequest, C & Record<PropertyKey, unknown>>({
    schema: options.schema,
    // Distinct connections only: no reserved streams (the protocol's "single connection mode").
    authenticate: () => null,
    validate: (schema, document) => validate(schema, document, rules),
    onSubscribe(req, params: RequestParams) {
      const context = req.context;
      let document: DocumentNode;
      try {
        document = parse(params.query, { maxTokens: options.maxTokens });
      } catch (error) {
        const result = refusal(error instanceof GraphQLError ? error.message : 'Syntax error', 'BAD_USER_INPUT', 'query');
        observe(null, result);
        return result;
      }
      const operation = getOperationAST(document, params.operationName);
      let refused: ExecutionResult | null = null;
      if (!operation) refused = refusal('Name the operation to run (operationName)', 'BAD_USER_INPUT', 'operationName');
      else if (operation.operation !== 'subscription') refused = refusal('Only subscriptions are served as an event stream: send queries and mutations as JSON', 'BAD_USER_INPUT', 'query');
      else if (context.viewer.service === true) refused = refusal('A service credential is good for internal operations only', 'FORBIDDEN');
      if (refused) {
        observe({ document, operationName: params.operationName }, refused);
        return refused;
      }
      return {
        schema: options.schema,
        document,
        operationName: params.operationName,
        variableValues: params.variables,
        contextValue: options.createContext(context.viewer, context.requestId) as C & Record<PropertyKey, unknown>,
      };
    },
    // graphql-js's `subscribe`, except that each event runs with a fresh context, as a new request would.
    async subscribe(args: ExecutionArgs) {
      const source = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in source)) return source;
      const { viewer, requestId } = args.contextValue as C;
      return mapAsyncIterator(source, (payload: unknown) => execute({ ...args, rootValue: payload, contextValue: options.createContext(viewer, requestId) }) as Promise<ExecutionResult>);
    },
    onOperation(_context, _req, args, result) {
      observe(args, Symbol.asyncIterator in Object(result) ? null : (result as ExecutionResult));
    },
    onNext: (_context, _req, result) => format(result as ExecutionResult),
  });

  return async (req) => {
    const [body, init] = await handler({
      method: req.method,
      url: req.url,
      // graphql-sse takes the distinct-connections path for exactly this Accept value.
      headers: { get: (key: string) => (key.toLowerCase() === 'accept' ? 'text/event-stream' : (req.headers[key.toLowerCase()] ?? null)) },
      body: req.body,
      raw: req,
      context: req,
    });
    const headers: Record<string, string> = { ...(init.headers ?? {}), 'x-request-id': req.requestId };
    // graphql-sse marks its stream `content-encoding: none`, which is no encoding HTTP defines.
    delete headers['content-encoding'];
    if (init.status === 200 && typeof body !== 'string' && body) headers['x-accel-buffering'] = 'no';
    if (typeof body !== 'string' && body) return { status: init.status, headers, body };
    // graphql-sse's own refusals of a malformed request (no query, a body that is not JSON): shaped as ours.
    const message = body ? ((JSON.parse(body) as { errors?: { message?: string }[] }).errors?.[0]?.message ?? init.statusText) : init.statusText;
    const text = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT', field: 'body' } }] });
    return { status: init.status, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body: text };
  };
}
