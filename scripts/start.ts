import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureDatabase, runMain, withDatabase } from '../subgraphs/shared/src';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys, signDevToken, type DevKeys } from './lib/dev-auth';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './lib/embedded-db';
import { portIsFree, spawnService, stopChild, waitReady } from './lib/processes';
import { seedDemo } from './lib/seed';
import { SUBGRAPHS } from './lib/subgraphs';

/**
 * `npm start`: the whole hub on one machine. PostgreSQL is embedded (data in ./.data) unless
 * DATABASE_URL is set; tokens are signed by a generated local key unless AUTH_ISSUER, AUTH_AUDIENCE
 * and a JWKS source are set. By default the gateway and the four subgraphs share one process and call
 * each other in-process (HUB_MODE=single: faster on a small box, see bench/); HUB_MODE=processes runs
 * each as its own process, as docker-compose does.
 */
const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const DATA_DIR = process.env.HUB_DATA_DIR ?? join(ROOT, '.data');

function externalAuth(): boolean {
  const { AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL, AUTH_JWKS_FILE } = process.env;
  const any = AUTH_ISSUER || AUTH_AUDIENCE || AUTH_JWKS_URL || AUTH_JWKS_FILE;
  if (!any) return false;
  if (!AUTH_ISSUER || !AUTH_AUDIENCE || !(AUTH_JWKS_URL || AUTH_JWKS_FILE)) {
    throw new Error('Set all of AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL (or AUTH_JWKS_FILE), or none of them.');
  }
  return true;
}

runMain(async () => {
  const children: ChildProcess[] = [];
  let embedded: EmbeddedDatabase | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the hub...');
    for (const child of [...children].reverse()) await stopChild(child);
    await embedded?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const useExternalAuth = externalAuth();
    let keys: DevKeys | undefined;
    const authEnv: Record<string, string> = {};
    if (!useExternalAuth) {
      keys = await ensureDevKeys(join(DATA_DIR, 'auth'));
      // The local key also signs the services' own short-lived credentials (donations ↔ points).
      Object.assign(authEnv, {
        AUTH_ISSUER: DEV_ISSUER,
        AUTH_AUDIENCE: DEV_AUDIENCE,
        AUTH_JWKS_FILE: keys.jwksFile,
        SERVICE_SIGNING_KEY_FILE: process.env.SERVICE_SIGNING_KEY_FILE ?? join(DATA_DIR, 'auth', 'signing-key.json'),
      });
    }

    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      console.log(`Starting embedded PostgreSQL (data in ${join(DATA_DIR, 'pg')})...`);
      embedded = await startEmbeddedPostgres(DATA_DIR);
      await ensureDatabase(embedded.adminUrl, 'hub');
      databaseUrl = withDatabase(embedded.adminUrl, 'hub');
    }

    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...authEnv,
      DATABASE_URL: databaseUrl,
      HOST: process.env.HOST ?? '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    };
    const urls: Record<string, string> = {};
    for (const definition of SUBGRAPHS) {
      const port = process.env[`${definition.name.toUpperCase()}_PORT`] ?? String(definition.defaultPort);
      urls[definition.name] = `http://127.0.0.1:${port}/graphql`;
    }
    const routing = {
      MEMBERS_URL: urls.members,
      POINTS_URL: urls.points,
      PARTNERS_URL: urls.partners,
      DONATIONS_URL: urls.donations,
    };

    const gatewayPort = process.env.PORT ?? '4000';
    const ports: [string, string, string][] = [
      ...SUBGRAPHS.map((d) => [d.name, new URL(urls[d.name]).port, `${d.name.toUpperCase()}_PORT`] as [string, string, string]),
      ['gateway', gatewayPort, 'PORT'],
    ];
    for (const [name, port, variable] of ports) {
      if (!(await portIsFree(Number(port)))) throw new Error(`Port ${port} (${name}) is in use. Stop what uses it, or set ${variable} to another port.`);
    }

    const mode = process.env.HUB_MODE ?? 'single';
    if (mode !== 'single' && mode !== 'processes') throw new Error('HUB_MODE is single (the default) or processes');
    let gateway;
    if (mode === 'single') {
      const subgraphPorts = Object.fromEntries(SUBGRAPHS.map((d) => [`${d.name.toUpperCase()}_PORT`, new URL(urls[d.name]).port]));
      gateway = spawnService('hub', join(DIST, 'gateway', 'src', 'index.js'), { ...baseEnv, ...routing, ...subgraphPorts, HUB_MODE: 'single', PORT: gatewayPort });
      children.push(gateway);
    } else {
      for (const definition of SUBGRAPHS) {
        const port = new URL(urls[definition.name]).port;
        const child = spawnService(definition.name, join(DIST, 'subgraphs', definition.name, 'src', 'index.js'), { ...baseEnv, ...routing, PORT: port });
        children.push(child);
      }
      // Subgraphs migrate their own schemas as they start; wait for all before the gateway.
      await Promise.all(SUBGRAPHS.map((d, i) => waitReady(new URL('/readyz', urls[d.name]).toString(), children[i])));
      gateway = spawnService('gateway', join(DIST, 'gateway', 'src', 'index.js'), { ...baseEnv, ...routing, PORT: gatewayPort });
      children.push(gateway);
    }
    const gatewayUrl = `http://localhost:${gatewayPort}/graphql`;
    await waitReady(`http://127.0.0.1:${gatewayPort}/readyz`, gateway);

    for (const child of children) {
      child.once('exit', (code) => {
        if (!stopping) {
          console.error(`A hub process exited unexpectedly (code ${code}); stopping.`);
          void shutdown(1);
        }
      });
    }

    console.log(`\nCoalition Hub is up: ${gatewayUrl}`);
    console.log(`Database: ${embedded ? `embedded PostgreSQL on port ${embedded.port}` : 'DATABASE_URL'}`);
    if (!keys) {
      console.log('Tokens: trusting the configured issuer; get tokens from it (no demo data is seeded).');
      return;
    }
    const demo = await seedDemo(gatewayUrl, keys);
    if (demo.seeded) console.log('Seeded the demo coalition (4 partners, 2 charities, 10 members with history).');
    const [admin, partner, member] = await Promise.all([
      signDevToken(keys, { kind: 'admin' }),
      signDevToken(keys, { kind: 'partner', id: demo.partnerId }),
      signDevToken(keys, { kind: 'member', id: demo.memberId }),
    ]);
    console.log(`\nDemo tokens (valid 12 hours; mint more with \`npm run token -- --help\`):`);
    console.log(`\nexport ADMIN_TOKEN=${admin}`);
    console.log(`\nexport PARTNER_TOKEN=${partner}   # partner ${demo.partnerId}`);
    console.log(`\nexport MEMBER_TOKEN=${member}   # member ${demo.memberId}`);
    console.log(`\nTry it:\n  curl -s ${gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer $MEMBER_TOKEN" \\`);
    console.log(`    -d '{"query":"{ me { displayName cardNumber points { balance available } } }"}'`);
    console.log('\nPress Ctrl+C to stop.');
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await shutdown(1);
  }
});
