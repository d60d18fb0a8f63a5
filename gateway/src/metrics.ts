import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import useMeshPrometheus from '@graphql-mesh/plugin-prometheus';
import { type Logger as HiveLogger } from '@graphql-hive/logger';
import { getOperationAST } from 'graphql';
import { createHubMetrics, metricsAnswer, outcomeOf, type HubMetrics } from '../../lib/src/metrics';

interface Entry {
  started: number;
  operationName?: string;
  outcome?: string;
}

/** Outcomes of requests the policy refuses before any GraphQL result (answered by status alone). */
const REFUSED: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 429: 'RATE_LIMITED' };

/**
 * The gateway's Prometheus metrics: its requests per operation name and outcome code (the same
 * `hub_graphql_*` series as each subgraph's), and, through the Hive gateway's Prometheus plugin, the time
 * and errors of each call to a subgraph (`graphql_gateway_subgraph_execute_*`, by subgraph).
 */
export function createGatewayMetrics(): {
  metrics: HubMetrics;
  /** First among the plugins: starts the clock before the policy may refuse the request (401, 429). */
  first: GatewayPlugin;
  /** Last among the plugins: reads each result as the policy shaped it. */
  last(log: HiveLogger): GatewayPlugin[];
} {
  const metrics = createHubMetrics('gateway');
  const entries = new WeakMap<Request, Entry>();
  const first: GatewayPlugin = {
    onRequest({ request }) {
      entries.set(request, { started: performance.now() });
    },
    onResponse({ request, response }) {
      const entry = entries.get(request);
      if (!entry) return;
      entries.delete(request);
      const outcome = entry.outcome ?? REFUSED[response.status] ?? (response.status < 400 ? 'OK' : 'BAD_USER_INPUT');
      metrics.observeRequest(entry.operationName, outcome, (performance.now() - entry.started) / 1000);
    },
  };
  const requests: GatewayPlugin = {
    onParams({ params, request }) {
      const entry = entries.get(request);
      if (entry && typeof params.operationName === 'string') entry.operationName = params.operationName;
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const entry = request && entries.get(request);
      if (entry) entry.operationName = getOperationAST(args.document, args.operationName)?.name?.value ?? entry.operationName;
    },
    onResultProcess({ request, result }) {
      const entry = entries.get(request);
      if (entry && !Array.isArray(result) && result && typeof result === 'object' && !(Symbol.asyncIterator in result)) {
        entry.outcome = outcomeOf((result as { errors?: readonly { extensions?: { code?: unknown } }[] }).errors);
      }
    },
  };
  return {
    metrics,
    first,
    last: (log) => [
      requests,
      useMeshPrometheus({
        log,
        registry: metrics.registry,
        endpoint: false,
        metrics: {
          graphql_envelop_deprecated_field: false,
          graphql_envelop_request: false,
          graphql_envelop_request_duration: false,
          graphql_envelop_request_time_summary: false,
          graphql_envelop_phase_parse: false,
          graphql_envelop_phase_validate: false,
          graphql_envelop_phase_context: false,
          graphql_envelop_error_result: false,
          graphql_envelop_execute_resolver: false,
          graphql_envelop_phase_execute: false,
          graphql_envelop_phase_subscribe: false,
          graphql_envelop_schema_change: false,
          graphql_yoga_http_duration: false,
          graphql_gateway_fetch_duration: false,
          graphql_gateway_subgraph_execute_duration: true,
          graphql_gateway_subgraph_execute_errors: true,
        },
      }) as GatewayPlugin,
    ],
  };
}

/** GET /metrics on the gateway's port (metrics.ts: open, or behind METRICS_TOKEN). Answers whether it served the request. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: HubMetrics, token: string | undefined): Promise<boolean> {
  if ((req.url ?? '/').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const answer = await metricsAnswer(metrics, req.headers.authorization, token);
  res.writeHead(answer.status, answer.headers);
  res.end(req.method === 'HEAD' ? undefined : answer.body);
  return true;
}
