// First, before anything loads pg: traces only when OTEL_EXPORTER_OTLP_ENDPOINT is set (nothing loaded otherwise).
import { startTracing, stopTracing } from '../../lib/src/tracing';
startTracing('gateway', { http: false });
import { runMain } from '../../lib/src';
import { startGateway } from './gateway';
import { startSingleProcessHub } from './single-process';

/** The gateway alone (HUB_MODE=gateway, the default), or the whole hub in this process (HUB_MODE=single). */
runMain(async () => {
  const gateway = process.env.HUB_MODE === 'single' ? await startSingleProcessHub() : await startGateway();
  let stopping = false;
  // The gateway runtime traps SIGINT/SIGTERM itself; ours closes the servers and exits.
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    gateway
      .stop()
      .then(() => stopTracing())
      .then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (process.send) process.on('disconnect', shutdown);
});
