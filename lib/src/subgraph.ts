import { type GraphQLSchema } from 'graphql';
import { type DataSource } from 'typeorm';
import { type z } from 'zod';
import { AuditLog } from './audit';
import { authConfigFromEnv, createTokenVerifier, type Viewer } from './auth';
import { createDataSource, guardPoolClients, migrate, ping, type DatabaseOptions } from './persistence/db';
import { ConfigError, parseEnv, subgraphEnv } from './env';
import { startPurgeJob, purgeOnce } from './jobs/purge.job';
import { createHubMetrics, registerPoolMetrics, type HubMetrics } from './metrics';
import { IDEMPOTENCY_KEYS_PURGE, type PurgeTarget } from './persistence/purge.repository';
import { limitsFromEnv } from './limits';
import { createLogger, type Logger } from './logger';
import { createRateLimiter } from './rate-limit';
import { startSubgraphServer, type BaseSubgraphContext, type RunningServer } from './server';
import { createServiceSigner, loadServiceKeys, type ServiceSigner } from './service-token';
import { stopTracing } from './tracing';

type BaseEnv = z.infer<z.ZodObject<ReturnType<typeof subgraphEnv>>>;

export interface SubgraphRuntime<E> {
  dataSource: DataSource;
  /**
   * Where reports and exports read: a read-only data source on the streaming replica when
   * DATABASE_REPLICA_URL is set, `dataSource` itself otherwise. Nothing that writes, and no read that must
   * see the caller's own just-committed writes (a balance after an earn), goes here: a replica lags.
   */
  reportSource: DataSource;
  env: BaseEnv & E;
  logger: Logger;
  /** This subgraph's own service credentials (the internal issuer); set when the definition asks for them. */
  signer?: ServiceSigner;
  /** This subgraph's Prometheus registry (served at its /metrics): services and jobs count here. */
  metrics: HubMetrics;
}

/** Everything that distinguishes one subgraph from another; `startSubgraph` does the rest. */
export interface SubgraphDefinition<C extends BaseSubgraphContext, E = unknown> {
  /** Subgraph name, also the PostgreSQL schema it owns. */
  name: 'members' | 'points' | 'partners' | 'donations';
  defaultPort: number;
  entities: DatabaseOptions['entities'];
  migrations: DatabaseOptions['migrations'];
  /** Extra environment this subgraph reads, beyond the common subgraph settings. */
  env?: z.ZodRawShape;
  /**
   * Internal operations (root fields) this subgraph serves to service credentials, and nothing else to
   * them. A subgraph that serves or calls any needs the internal issuer's key and refuses to start
   * without it (see service-token.ts).
   */
  internalOperations?: string[];
  /** This subgraph calls internal operations of others, with its own service credentials. */
  callsInternalOperations?: boolean;
  buildSchema(): Promise<GraphQLSchema>;
  /** Rows of this subgraph's own tables the purge job removes, beside expired idempotency keys. */
  purgeTargets?(env: BaseEnv & E): PurgeTarget[];
  /** Wires services once per process and returns the per-request context factory. */
  setup(runtime: SubgraphRuntime<E>): {
    createContext(viewer: Viewer, requestId: string): Omit<C, 'audit'>;
    /** Completes each verified viewer before its request runs (identity links: member-link.ts). */
    resolveViewer?(viewer: Viewer, requestId: string): Promise<Viewer>;
    close?(): Promise<void>;
  };
}

export interface RunningSubgraph extends RunningServer {
  dataSource: DataSource;
  /** The replica's data source when DATABASE_REPLICA_URL is set, else `dataSource` (see SubgraphRuntime). */
  reportSource: DataSource;
  /**
   * Stops the subgraph's background work (relays, sweepers, reconcilers) and waits for a running round;
   * the server and pool stay up. In one process every subgraph's is stopped before any pool closes,
   * since that work calls the other subgraphs. `stop()` does it too.
   */
  stopBackground(): Promise<void>;
  /** Runs the purge job once now (tests; the job runs it every PURGE_INTERVAL_MS); rows removed per target. */
  purge(): Promise<Record<string, number>>;
  metrics: HubMetrics;
}

/** Parses env, connects and migrates the subgraph's schema, and serves it. Used by index.ts and tests. */
export async function startSubgraph<C extends BaseSubgraphContext, E>(
  definition: SubgraphDefinition<C, E>,
  source: NodeJS.ProcessEnv = process.env,
): Promise<RunningSubgraph> {
  const env = parseEnv({ ...subgraphEnv(definition.defaultPort), ...(definition.env ?? {}) }, source) as BaseEnv & E;
  const logger = createLogger(definition.name, env.LOG_LEVEL);
  const serviceKeys = loadServiceKeys(env);
  if (!serviceKeys && (definition.internalOperations?.length || definition.callsInternalOperations)) {
    throw new ConfigError(
      `Invalid configuration:\n  SERVICE_SIGNING_KEY_FILE (or SERVICE_SIGNING_KEY): the ${definition.name} subgraph needs the hub's internal service key (npm run service-key -- <file> makes one)`,
    );
  }
  const dataSource = createDataSource({
    url: env.DATABASE_URL,
    schema: definition.name,
    entities: definition.entities,
    migrations: definition.migrations,
    poolSize: env.DB_POOL_SIZE,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    preparedStatements: env.DB_PREPARED_STATEMENTS,
  });
  await dataSource.initialize();
  guardPoolClients(dataSource, (error) => logger.warn('database connection lost', { error }));
  let replica: DataSource | undefined;
  try {
    if (env.DATABASE_REPLICA_URL) {
      replica = createDataSource({
        url: env.DATABASE_REPLICA_URL,
        schema: definition.name,
        entities: definition.entities,
        migrations: [],
        poolSize: env.DB_POOL_SIZE,
        statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
        preparedStatements: env.DB_PREPARED_STATEMENTS,
        readOnly: true,
      });
      await replica.initialize();
      guardPoolClients(replica, (error) => logger.warn('replica connection lost', { error }));
    }
    const reportSource = replica ?? dataSource;
    if (env.MIGRATE_ON_START) await migrate(dataSource, definition.name);
    const schema = await definition.buildSchema();
    const signer = serviceKeys && definition.callsInternalOperations ? createServiceSigner(serviceKeys, definition.name) : undefined;
    const metrics = createHubMetrics(definition.name);
    registerPoolMetrics(metrics, dataSource);
    if (replica) registerPoolMetrics(metrics, replica, 'replica');
    const wiring = definition.setup({ dataSource, reportSource, env, logger, signer, metrics });
    const audit = new AuditLog(definition.name, dataSource, logger);
    const rateLimiter = await createRateLimiter(env, logger, { factor: env.SUBGRAPH_RATE_LIMIT_FACTOR, prefix: `hub:rate:${definition.name}:` });
    const server = await startSubgraphServer({
      name: definition.name,
      schema,
      verifier: createTokenVerifier({ ...authConfigFromEnv(env), service: serviceKeys?.trust }),
      internalOperations: definition.internalOperations,
      logger,
      host: env.HOST,
      port: env.PORT,
      production: env.NODE_ENV === 'production',
      maxBodyBytes: env.MAX_BODY_BYTES,
      limits: limitsFromEnv(env),
      rateLimiter,
      createContext: (viewer, requestId) => ({ ...wiring.createContext(viewer, requestId), audit }) as C,
      resolveViewer: wiring.resolveViewer,
      // The primary only: a replica outage fails the reports that read there, not the instance's earns and
      // spends (an unready instance would leave the load balancer altogether).
      checkReady: () => ping(dataSource),
      metrics,
      metricsToken: env.METRICS_TOKEN,
    });
    const purgeTargets = [IDEMPOTENCY_KEYS_PURGE, ...(definition.purgeTargets?.(env) ?? [])];
    const stopPurge = startPurgeJob(dataSource, purgeTargets, { intervalMs: env.PURGE_INTERVAL_MS, batchSize: env.PURGE_BATCH_SIZE, logger, metrics });
    let background: Promise<void> | undefined;
    const stopBackground = () => {
      background ??= Promise.all([stopPurge(), wiring.close?.()]).then(() => undefined);
      return background;
    };
    return {
      ...server,
      dataSource,
      reportSource,
      stopBackground,
      purge: () => purgeOnce(dataSource, purgeTargets, env.PURGE_BATCH_SIZE),
      metrics,
      async stop() {
        await stopBackground();
        await server.stop();
        await rateLimiter?.close();
        await replica?.destroy();
        await dataSource.destroy();
      },
    };
  } catch (error) {
    if (replica?.isInitialized) await replica.destroy();
    await dataSource.destroy();
    throw error;
  }
}

/** The process entry point of a subgraph: start, then stop cleanly on SIGTERM or SIGINT. */
export async function runSubgraphProcess<C extends BaseSubgraphContext, E>(definition: SubgraphDefinition<C, E>): Promise<void> {
  const running = await startSubgraph(definition);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    running
      .stop()
      .then(() => stopTracing())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(`${definition.name}: error during ${signal} shutdown`, error);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Started by `npm start` with an IPC channel: stop when the parent goes away, even if it was killed.
  if (process.send) process.on('disconnect', () => shutdown('parent exit'));
}
