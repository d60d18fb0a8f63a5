// First, before anything loads http or pg: traces only when OTEL_EXPORTER_OTLP_ENDPOINT is set (nothing loaded otherwise).
import { startTracing } from '../../../lib/src/tracing';
startTracing('donations', { http: true });
import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../../lib/src';
import { donationsSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(donationsSubgraph));
