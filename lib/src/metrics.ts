import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type DataSource } from 'typeorm';

/**
 * Prometheus metrics of one server (the gateway, or one subgraph): its own registry, so that in the
 * single-process hub each subgraph still answers its own `/metrics` on its own port. Names are the hub's
 * (`hub_*`), labelled with the server's `service`; the process's own figures (CPU, memory, event loop,
 * garbage collection) come from prom-client's default metrics.
 */
export interface HubMetrics {
  registry: Registry;
  service: string;
  /** One GraphQL request: its operation name (or `anonymous`), its outcome (`OK` or the first error code) and duration. */
  observeRequest(operationName: string | null | undefined, outcome: string, seconds: number): void;
  /** A counter of this registry, created on first use (the same name answers the same counter). */
  counter(name: string, help: string, labelNames?: string[]): Counter<string>;
  /** A gauge computed at each scrape by `collect` (a repository query, a pool's figures). */
  collectedGauge(name: string, help: string, labelNames: string[], collect: (gauge: Gauge<string>) => Promise<void> | void): void;
}

/** Request latency buckets (seconds): a card lookup answers in a few milliseconds, an export in seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Operation names are the client's choice: past this many distinct ones, others count as `other`. */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export function createHubMetrics(service: string): HubMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'hub_graphql_requests_total',
    help: 'GraphQL requests answered, by operation name and outcome (OK or the first error code)',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'hub_graphql_request_duration_seconds',
    help: 'GraphQL request duration in seconds, by operation name and outcome',
    labelNames: ['operation', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const operations = new Set<string>();
  const operationLabel = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (operations.has(name)) return name;
    if (operations.size >= MAX_OPERATION_NAMES) return 'other';
    operations.add(name);
    return name;
  };
  const counters = new Map<string, Counter<string>>();
  return {
    registry,
    service,
    observeRequest(operationName, outcome, seconds) {
      const labels = { operation: operationLabel(operationName), outcome };
      requests.inc(labels);
      durations.observe(labels, seconds);
    },
    counter(name, help, labelNames = []) {
      let counter = counters.get(name);
      if (!counter) {
        counter = new Counter({ name, help, labelNames, registers: [registry] });
        counters.set(name, counter);
      }
      return counter;
    },
    collectedGauge(name, help, labelNames, collect) {
      registry.removeSingleMetric(name);
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          await collect(this);
        },
      });
    },
  };
}

/** The outcome label of a GraphQL result: `OK`, or the code of its first error (`INTERNAL` when it has none). */
export function outcomeOf(errors: readonly { extensions?: { code?: unknown } | null }[] | undefined): string {
  if (!errors || errors.length === 0) return 'OK';
  const code = errors[0].extensions?.code;
  return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : 'INTERNAL';
}

/**
 * Connections of the subgraph's pool: open, idle, and requests waiting for one (node-postgres's own counts).
 * The replica's pool (DATABASE_REPLICA_URL) has its own gauge, `hub_db_replica_pool_connections`.
 */
export function registerPoolMetrics(metrics: HubMetrics, dataSource: DataSource, pool: 'primary' | 'replica' = 'primary'): void {
  type PgPool = { totalCount: number; idleCount: number; waitingCount: number };
  const [name, help] =
    pool === 'primary'
      ? ['hub_db_pool_connections', 'Database pool connections: total, idle, and waiting requests']
      : ['hub_db_replica_pool_connections', 'Replica pool connections (reports and exports): total, idle, and waiting requests'];
  metrics.collectedGauge(name, help, ['state'], (gauge) => {
    const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
    if (!pool) return;
    gauge.set({ state: 'total' }, pool.totalCount);
    gauge.set({ state: 'idle' }, pool.idleCount);
    gauge.set({ state: 'waiting' }, pool.waitingCount);
  });
}

export interface MetricsAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * `GET /metrics` in the Prometheus text format. Open (like /healthz: serve it on a private network) when
 * `token` is unset; with METRICS_TOKEN set, only `Authorization: Bearer <token>` gets it (401 otherwise).
 */
export async function metricsAnswer(metrics: HubMetrics, authorization: string | undefined, token: string | undefined): Promise<MetricsAnswer> {
  if (token && !bearerMatches(authorization, token)) {
    return { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }, body: 'metrics need the METRICS_TOKEN bearer\n' };
  }
  const body = await metrics.registry.metrics();
  return { status: 200, headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }, body };
}

function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
