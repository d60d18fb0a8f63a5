import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler as routerPlanner } from '@graphql-hive/router-runtime';
import { GraphQLError } from 'graphql';
import { type z } from 'zod';
import { armorConfig, authConfigFromEnv, createLogger, createTokenVerifier, hubFetch, limitsFromEnv, parseEnv, type RunningServer } from '../../lib/src';
import { wantsEventStream } from '../../lib/src/subscriptions';
import { probeStatus } from '../../lib/src/http-probe';
import { blockedPortReason } from '../../lib/src/ports';
import { createAccessLog } from './access-log';
import { createHubPolicy, type HubGatewayContext } from './auth.plugin';
import { PersistedQueryStore, useAutomaticPersistedQueries } from './apq';
import { corsPolicy, useVaryOnOrigin } from './cors';
import { localGraphiQL } from './graphiql';
import { serveGrantsImport } from './imports/grants-csv';
import { servePain001 } from './payouts/pain001';
import { serveMemberExport, type GatewayFetch } from './member-export';
import { gatewayEnv } from './env';
import { createGatewayMetrics, serveMetrics } from './metrics';
import { tracingPlugins } from './tracing';
import { createRateLimiter } from './rate-limit';
import { serveReport } from './reports/serve';
import { createLiveEvents } from './live-events';
import { createDemoSignIn, createPortal } from './portal';
import { loadSupergraph } from './supergraph';
import { documentIdOf, loadTrustedDocuments } from './trusted-documents';

export type GatewayEnv = z.infer<z.ZodObject<typeof gatewayEnv>>;

/** The built portal, dist/portal, found from both the sources and the compiled dist/. */
export function defaultPortalDir(): string {
  const up = __dirname.includes(`${join('dist', 'gateway')}`) ? ['..', '..'] : ['..', '..', 'dist'];
  return join(__dirname, ...up, 'portal');
}

/** The supergraph committed under schema/, found from both the sources and the compiled dist/. */
export function defaultSupergraphPath(): string {
  const up = __dirname.includes(`${join('dist', 'gateway')}`) ? ['..', '..', '..'] : ['..', '..'];
  return join(__dirname, ...up, 'schema', 'supergraph.graphql');
}

async function subgraphsReady(subgraphs: Map<string, string>): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    // node:http(s), not fetch: fetch refuses some ports outright ("bad port"), which would read as not ready.
    [...subgraphs].map(async ([name, url]) => [name, (await probeStatus(new URL('/readyz', url), 2_000)) === 200] as const),
  );
  return Object.fromEntries(entries);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const JSON_BODY = /^application\/(graphql\+)?json\s*(;|$)/i;

/**
 * Reads a JSON request body whose Content-Length has been checked against the limit, and leaves it on
 * `req.body` for the server adapter, as a body parser would: a parsed operation object goes straight to
 * Yoga's JSON parser (`request.json()`), skipping the stream Yoga otherwise pipes every body through to
 * count its bytes (a pipeline, a TransformStream and an abort per request: about 5% of a card lookup's CPU in
 * profiles). Node's HTTP parser already holds a body to its Content-Length, checked against the limit above.
 * Anything else (invalid JSON, an empty object, a non-object) stays text, so Yoga answers it as before.
 */
async function readJsonBody(req: IncomingMessage & { body?: unknown }): Promise<boolean> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    return false; // the client went away mid-body: nobody to answer
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  req.body = parsed !== null && typeof parsed === 'object' && Object.keys(parsed).length > 0 ? parsed : text;
  return true;
}

/** Trusted-documents mode: only the manifest's operations run, named by id; any other is refused. */
function trustedDocuments(path: string) {
  const documents = loadTrustedDocuments(path);
  const refuse = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: 'documentId' } });
  return {
    documents,
    config: {
      getPersistedOperation: (id: string) => documents.get(id) ?? null,
      extractPersistedOperationId: (params: object) => documentIdOf(params as Parameters<typeof documentIdOf>[0]),
      allowArbitraryDocuments: false,
      customErrors: {
        notFound: () => refuse('Unknown document: only trusted documents run here'),
        keyNotFound: () => refuse('Only trusted documents run here: send a known documentId'),
        persistedQueryOnly: () => refuse('Only trusted documents run here: send a known documentId'),
      },
    },
  };
}

/**
 * How the gateway's own routes (CSV reports, the data export, live updates, bulk grants, payout files) run
 * their queries through it. In trusted-documents mode their documents are the gateway's own, trusted as
 * the manifest's are: each is added to the trusted set and sent by its id. Only code in this process calls
 * this; a client's request never gets here.
 */
function ownDocumentsFetch(gateway: { fetch: GatewayFetch }, trusted: Map<string, string> | undefined): GatewayFetch {
  if (!trusted) return (request, context) => gateway.fetch(request, context);
  return async (request, context) => {
    const body = (await request.clone().json().catch(() => null)) as { query?: unknown; extensions?: Record<string, unknown> } | null;
    if (!body || typeof body.query !== 'string') return gateway.fetch(request, context);
    const id = createHash('sha256').update(body.query).digest('hex');
    trusted.set(id, body.query);
    const { query: _query, ...rest } = body;
    const byId = JSON.stringify({ ...rest, extensions: { ...rest.extensions, persistedQuery: { version: 1, sha256Hash: id } } });
    return gateway.fetch(new Request(request.url, { method: 'POST', headers: request.headers, body: byId }), context);
  };
}

/**
 * The one public endpoint: the Hive gateway runtime serving the supergraph at `/graphql`, with
 * `/healthz` (process up) and `/readyz` (every subgraph ready). Tokens are verified here and again in
 * every subgraph; the Authorization header and request id travel to the subgraphs unchanged.
 */
export async function startGateway(source: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const env = parseEnv(gatewayEnv, source);
  // The runtime's loggers read LOG_LEVEL from the process environment whenever one is made (also while
  // serving) and throw on `silent`, a level the hub accepts. The hub's own level is parsed above; the runtime
  // is told `logging: false` then, and its loggers made later see `error`, a level they accept.
  if (process.env.LOG_LEVEL === 'silent') process.env.LOG_LEVEL = 'error';
  const logger = createLogger('gateway', env.LOG_LEVEL);
  const production = env.NODE_ENV === 'production';
  const { sdl, subgraphs } = loadSupergraph(env.SUPERGRAPH_PATH ?? defaultSupergraphPath(), {
    members: env.MEMBERS_URL,
    points: env.POINTS_URL,
    partners: env.PARTNERS_URL,
    donations: env.DONATIONS_URL,
  });
  // Calls to subgraphs in other processes go through fetch, which refuses some ports outright ("bad port").
  for (const [name, url] of subgraphs) {
    const blocked = blockedPortReason(Number(new URL(url).port), `${name.toUpperCase()}_URL`);
    if (blocked) logger.warn(`${blocked} Calls to the ${name} subgraph over HTTP will fail.`);
  }
  const verifier = createTokenVerifier(authConfigFromEnv(env));
  const accessLog = createAccessLog(env.LOG_LEVEL, logger, verifier, (context) => (context as Partial<HubGatewayContext>).viewer);
  const trusted = env.TRUSTED_DOCUMENTS_FILE ? trustedDocuments(env.TRUSTED_DOCUMENTS_FILE) : undefined;
  const persistedDocuments = trusted?.config;
  const rateLimiter = await createRateLimiter(env, logger);
  const policies = createHubPolicy({ verifier, logger, production, graphqlPath: '/graphql', rateLimiter, trustProxyHops: env.TRUST_PROXY_HOPS });

  const portalDir = env.PORTAL_DIR ?? defaultPortalDir();
  const portalManifest = join(portalDir, 'persisted-documents.json');
  const portal = createPortal({
    dir: portalDir,
    logger,
    oidc: env.PORTAL_OIDC_CLIENT_ID
      ? { issuer: env.PORTAL_OIDC_ISSUER ?? env.AUTH_ISSUER, clientId: env.PORTAL_OIDC_CLIENT_ID, scope: env.PORTAL_OIDC_SCOPE, resource: env.PORTAL_OIDC_RESOURCE }
      : undefined,
    demo: await createDemoSignIn({
      keyFile: env.DEMO_SIGN_IN_KEY_FILE,
      identitiesFile: env.DEMO_IDENTITIES_FILE,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      jwksUrl: env.AUTH_JWKS_URL,
      jwksFile: env.AUTH_JWKS_FILE,
    }),
  });
  // Automatic persisted queries, one bounded store per gateway, knowing the portal's documents from the start;
  // trusted documents answer those hashes instead.
  const pinned = portal.enabled && existsSync(portalManifest) ? loadTrustedDocuments(portalManifest) : new Map<string, string>();
  const apq = persistedDocuments ? [] : [useAutomaticPersistedQueries(new PersistedQueryStore(undefined, undefined, pinned))];
  // GraphiQL in development, its files served by the gateway itself (the runtime's page loads them from a CDN).
  const graphiql = production ? undefined : localGraphiQL();

  const metrics = createGatewayMetrics();

  const gateway = createGatewayRuntime<HubGatewayContext>({
    supergraph: sdl,
    // Hive Router's query planner (Rust, through a native addon) unless the JavaScript one is asked for.
    unifiedGraphHandler: env.GATEWAY_PLANNER === 'router' ? routerPlanner : undefined,
    // Upstream calls: over HTTP, or straight into a subgraph served by this process (single-process hub).
    fetchAPI: { fetch: hubFetch },
    // The executor would hash every subgraph query (URL, body and headers) to share identical ones in
    // flight; ours carry each request's own x-request-id, so none is ever identical: pure cost.
    transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    readinessCheckEndpoint: '/gateway-readiness',
    landingPage: false,
    // Only the configured origins get CORS headers (Yoga's default echoes any origin, with credentials).
    cors: corsPolicy(env.CORS_ORIGINS),
    graphiql: !production,
    renderGraphiQL: graphiql?.render,
    logging: env.LOG_LEVEL === 'silent' ? false : env.LOG_LEVEL,
    disableIntrospection: production ? { disableIf: () => true } : undefined,
    // One operation per request: an array body is refused (Yoga's default, stated here on purpose).
    batching: false,
    // The request id is the hub's own (auth.plugin.ts: the client's x-request-id when well formed, else a new
    // UUID), sent to the subgraphs, logged and answered in x-request-id. The runtime's own request-id plugin
    // would answer a second, different id and send it upstream instead.
    requestId: false,
    persistedDocuments,
    // Errors are shaped by useHubPolicy, which also sees the request id; Yoga's own masking is off.
    maskedErrors: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request, context }) => ({
        authorization: request.headers.get('authorization'),
        'x-request-id': context.requestId,
      }),
    },
    // Request metrics: timed from before the policy (which may refuse), outcome read after it shaped the result.
    plugins: ({ log }) => [
      ...tracingPlugins(),
      metrics.first,
      accessLog.plugin,
      ...policies,
      ...apq,
      useVaryOnOrigin(),
      EnvelopArmorPlugin(armorConfig(limitsFromEnv(env), production)),
      ...metrics.last(log),
    ],
  });

  // Live updates over SSE (GET /events/stream), fed by the outbox's LISTEN/NOTIFY channel (live-events.ts).
  const liveEvents = createLiveEvents({ databaseUrl: env.EVENTS_DATABASE_URL ?? env.DATABASE_URL, verifier, logger, heartbeatSeconds: env.EVENTS_HEARTBEAT_SECONDS });

  const own = ownDocumentsFetch(gateway, trusted?.documents);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (await serveMetrics(req, res, metrics.metrics, env.METRICS_TOKEN)) return;
    if (path === '/readyz') {
      const status = await subgraphsReady(subgraphs);
      const ready = Object.values(status).every(Boolean);
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', subgraphs: status });
    }
    // CSV downloads (GET /reports/*.csv) run their query through this same gateway: same token, same rules.
    if (await serveReport(req, res, own)) return;
    // Live updates: the caller's own events as Server-Sent Events, authorized by queries through this same gateway.
    if (await liveEvents.serve(req, res, own)) return;
    // Bulk grants (POST /imports/grants.csv): checked here, then granted by one mutation through this same gateway.
    if (await serveGrantsImport(req, res, own, env.IMPORT_MAX_BYTES)) return;
    // A payout batch's pain.001 credit-transfer file (GET /payouts/{id}/pain.001.xml), the same way.
    if (await servePain001(req, res, own)) return;
    // A member's data export (GET /members/{id}/export.json), the same way: one query through this gateway.
    if (await serveMemberExport(req, res, own)) return;
    if (graphiql && (await graphiql.serve(req, res))) return;
    // The portal (GET / and its routes and files), its configuration and the demo sign-in.
    if (await portal.serve(req, res)) return;
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > env.MAX_BODY_BYTES) {
      req.resume(); // drain unread, so the client gets the answer rather than a reset
      return sendJson(res, 413, { errors: [{ message: 'Request body too large', extensions: { code: 'BAD_USER_INPUT', field: 'body' } }] });
    }
    // A body without a length (chunked) could not be held to the limit before it is read: refuse it.
    if (req.method === 'POST' && req.headers['content-length'] === undefined) {
      req.resume();
      return sendJson(res, 411, { errors: [{ message: 'A Content-Length header is required', extensions: { code: 'BAD_USER_INPUT', field: 'body' } }] });
    }
    // GraphQL over HTTP defines JSON POST bodies only. A form, multipart or text/plain body is what a page
    // on another site can send without a preflight (CSRF): refused unread, token or not, as the subgraphs'
    // CSRF prevention refuses it (GET runs queries only: a mutation over GET answers 405).
    if (req.method === 'POST' && path === '/graphql' && !JSON_BODY.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return sendJson(res, 415, { errors: [{ message: 'A POST body must be JSON (Content-Type: application/json)', extensions: { code: 'BAD_USER_INPUT', field: 'body' } }] });
    }
    if (req.method === 'POST' && JSON_BODY.test(req.headers['content-type'] ?? '') && !(await readJsonBody(req))) {
      res.destroy();
      return;
    }
    await gateway(req, res);
  };

  // Subscriptions' event streams stay open until their client leaves: stopping ends them (clients subscribe again).
  const eventStreams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    accessLog.track(req, res);
    if (wantsEventStream(req.headers.accept)) {
      eventStreams.add(res);
      res.once('close', () => eventStreams.delete(res));
    }
    handle(req, res).catch((error: unknown) => {
      logger.error('unhandled gateway error', { error });
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal error', extensions: { code: 'INTERNAL' } }] });
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
  const url = `http://${host}:${port}/graphql`;
  logger.info('gateway listening', { url });
  return {
    url,
    port,
    async stop() {
      await liveEvents.close();
      for (const res of eventStreams) res.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await gateway.dispose();
      await rateLimiter?.close();
    },
  };
}
