/**
 * OpenTelemetry traces, only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: then the process starts
 * OpenTelemetry's Node SDK with the OTLP/HTTP exporter (standard OTEL_* variables: endpoint, headers,
 * sampler, batch delays) and the instrumentations of node:http (a subgraph's incoming requests, W3C
 * traceparent continued from the gateway) and pg (every query, under the request that made it). The
 * gateway's own spans come from the Hive gateway's OpenTelemetry plugin (gateway/src/tracing.ts).
 * Unset, nothing of OpenTelemetry is loaded: this module requires its packages only inside `startTracing`.
 */

let sdk: { shutdown(): Promise<void> } | undefined;
let annotate: (requestId: string) => void = () => undefined;

/** Whether this process exports traces (OTEL_EXPORTER_OTLP_ENDPOINT set and `startTracing` called). */
export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/** Probes and scrapes make no traces. */
const UNTRACED = /^\/(healthz|readyz|metrics|gateway-readiness)(\?|$)/;

/**
 * Starts tracing for `service` (its `service.name`) when OTEL_EXPORTER_OTLP_ENDPOINT is set; call it first
 * thing in a process's entry point, before pg is loaded. `http: false` for the gateway, whose HTTP spans
 * are the Hive plugin's. Idempotent.
 */
export function startTracing(service: string, options: { http: boolean }, source: NodeJS.ProcessEnv = process.env): void {
  if (sdk || !source.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when traces are exported */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const instrumentations = [
    new PgInstrumentation({ requireParentSpan: true }),
    ...(options.http
      ? [
          new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED.test(req.url ?? '/') }),
        ]
      : []),
  ];
  const started = new NodeSDK({ serviceName: source.OTEL_SERVICE_NAME ?? service, traceExporter: new OTLPTraceExporter(), instrumentations, resourceDetectors: [] });
  started.start();
  sdk = started;
  annotate = (requestId) => api.trace.getActiveSpan()?.setAttribute('hub.request_id', requestId);
}

/** Names the hub's request id on the span of the request being served (no-op without tracing). */
export function traceRequestId(requestId: string): void {
  annotate(requestId);
}

/** Sends the spans still buffered and stops the SDK (process shutdown). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  annotate = () => undefined;
  await running?.shutdown();
}
