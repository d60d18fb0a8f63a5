import { type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { tracingEnabled } from '../../lib/src/tracing';

/**
 * The gateway's spans, when the process exports traces (lib/src/tracing.ts: OTEL_EXPORTER_OTLP_ENDPOINT
 * set): the Hive gateway's OpenTelemetry plugin traces each HTTP request, its GraphQL phases and every
 * subgraph call, and propagates the W3C traceparent to the subgraphs; the hub's request id is named on
 * the request's span (`hub.request_id`). Without tracing, no plugin and nothing of OpenTelemetry loaded.
 */
export function tracingPlugins(): GatewayPlugin[] {
  if (!tracingEnabled()) return [];
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when traces are exported */
  const { useOpenTelemetry } = require('@graphql-hive/plugin-opentelemetry') as typeof import('@graphql-hive/plugin-opentelemetry');
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // Probes and scrapes make no traces.
  const traced = ({ request }: { request: Request }) => !/^\/(healthz|readyz|metrics|gateway-readiness)$/.test(new URL(request.url).pathname);
  // The request, its operation and execution, and each subgraph call; not the parse/validate/context phases
  // (a span each on every request, for little an operator reads).
  const otel = useOpenTelemetry({
    traces: { spans: { http: traced, graphqlParse: false, graphqlValidate: false, graphqlContextBuilding: false } },
    flushOnDispose: 'forceFlush',
  });
  const requestId: GatewayPlugin = {
    onExecute({ args }) {
      const context = args.contextValue as { request?: Request; requestId?: string };
      if (!context.request || !context.requestId) return;
      const http = otel.getHttpContext(context.request);
      const span = http && api.trace.getSpan(http);
      span?.setAttribute('hub.request_id', context.requestId);
    },
  };
  return [otel as GatewayPlugin, requestId];
}
