import { runMain } from '../../subgraphs/shared/src';
import { startGateway } from './gateway';

runMain(async () => {
  const gateway = await startGateway();
  let stopping = false;
  // The gateway runtime traps SIGINT/SIGTERM itself; ours closes the HTTP server and exits.
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    gateway.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (process.send) process.on('disconnect', shutdown);
});
