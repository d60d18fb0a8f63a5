import { donationsSubgraph } from '../../subgraphs/donations/src/subgraph';
import { membersSubgraph } from '../../subgraphs/members/src/subgraph';
import { partnersSubgraph } from '../../subgraphs/partners/src/subgraph';
import { pointsSubgraph } from '../../subgraphs/points/src/subgraph';
import { enableInProcessCalls, startSubgraph, type RunningServer, type RunningSubgraph } from '../../lib/src';
import { startGateway } from './gateway';

/**
 * The whole hub in one process: the four subgraphs (each still with its own schema, pool, migrations
 * and HTTP port, for direct callers and health checks) and the gateway, which calls them in-process.
 * Every subgraph still verifies the token of every call. Ports and URLs come from the same variables as
 * in the multi-process layout (MEMBERS_PORT … and MEMBERS_URL …); PORT is the gateway's.
 */
export async function startSingleProcessHub(source: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  enableInProcessCalls();
  const subgraphs: RunningSubgraph[] = [];
  // The gateway first, then every subgraph's background work (the pledge relay and the donation
  // reconciler call other subgraphs in this process), and only then the servers and pools.
  const stopAll = async (gateway?: RunningServer) => {
    await gateway?.stop();
    for (const part of subgraphs) await part.stopBackground();
    for (const part of [...subgraphs].reverse()) await part.stop();
  };
  try {
    for (const definition of [membersSubgraph, pointsSubgraph, partnersSubgraph, donationsSubgraph] as const) {
      const port = source[`${definition.name.toUpperCase()}_PORT`] ?? String(definition.defaultPort);
      // Each definition has its own context type; the loop only starts and stops them.
      subgraphs.push(await startSubgraph(definition as Parameters<typeof startSubgraph>[0], { ...source, PORT: port }));
    }
    const gateway = await startGateway(source);
    return { url: gateway.url, port: gateway.port, stop: () => stopAll(gateway) };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
