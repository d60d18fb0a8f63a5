// First, before anything loads http or pg: traces only when OTEL_EXPORTER_OTLP_ENDPOINT is set (nothing loaded otherwise).
import { startTracing } from '../../../lib/src/tracing';
startTracing('members', { http: true });
import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../../lib/src';
import { membersSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(membersSubgraph));
