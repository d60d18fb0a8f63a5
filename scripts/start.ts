import { type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, ensureDatabase, runMain, withDatabase, type LogLevel } from '../lib/src';
import { blockedPortReason } from '../lib/src/ports';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys, ensureServiceKey, signDevToken, type DevKeys } from './lib/dev-auth';
import { startEmbeddedPostgres, superviseEmbeddedPostgres, type EmbeddedDatabase } from './lib/embedded-db';
import { portIsFree, spawnService, stopChild, waitReady } from './lib/processes';
import { demoIdentities, seedDemo } from './lib/seed';
import { SUBGRAPHS } from './lib/subgraphs';

/**
 * `npm start`: the whole hub on one machine. PostgreSQL is embedded (data in ./.data) unless
 * DATABASE_URL is set; tokens are signed by a generated local key unless AUTH_ISSUER, AUTH_AUDIENCE
 * and a JWKS source are set. By default the gateway and the four subgraphs share one process and call
 * each other in-process (HUB_MODE=single: faster on a small box, see bench/); HUB_MODE=processes runs
 * each as its own process, as docker-compose does.
 *
 * The embedded PostgreSQL is watched: if it dies (killed, crashed) it is started again on the same port
 * and the hub's pools reconnect; past a few restarts, or when it will not start, the hub stops with exit
 * code 1 so that a process supervisor can take over. Logs are JSON lines, one per request at `info`.
 */
const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const DATA_DIR = process.env.HUB_DATA_DIR ?? join(ROOT, '.data');
const gatewayPort = process.env.PORT ?? '4000';

function externalAuth(): boolean {
  const { AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL, AUTH_JWKS_FILE } = process.env;
  const any = AUTH_ISSUER || AUTH_AUDIENCE || AUTH_JWKS_URL || AUTH_JWKS_FILE;
  if (!any) return false;
  if (!AUTH_ISSUER || !AUTH_AUDIENCE || !(AUTH_JWKS_URL || AUTH_JWKS_FILE)) {
    throw new Error('Set all of AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL (or AUTH_JWKS_FILE), or none of them.');
  }
  return true;
}

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
// Access lines (one per request) are logged at info, which an operator expects to see; the hub is
// otherwise quiet at info (a line per part started).
const LOG_LEVEL = process.env.LOG_LEVEL ?? 'info';

runMain(async () => {
  const log = createLogger('start', LOG_LEVELS.includes(LOG_LEVEL as LogLevel) ? (LOG_LEVEL as LogLevel) : 'info');
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
  process.on('SIGHUP', () => void shutdown(0)); // the terminal closed

  try {
    // Checked first: a port that fetch refuses would otherwise show up a minute later as "not ready".
    for (const variable of ['PORT', ...SUBGRAPHS.map((d) => `${d.name.toUpperCase()}_PORT`)]) {
      const blocked = process.env[variable] ? blockedPortReason(Number(process.env[variable]), variable) : undefined;
      if (blocked) throw new Error(blocked);
    }
    const useExternalAuth = externalAuth();
    let keys: DevKeys | undefined;
    const authEnv: Record<string, string> = {};
    const identitiesFile = join(DATA_DIR, 'auth', 'demo-identities.json');
    if (!useExternalAuth) {
      keys = await ensureDevKeys(join(DATA_DIR, 'auth'));
      Object.assign(authEnv, { AUTH_ISSUER: DEV_ISSUER, AUTH_AUDIENCE: DEV_AUDIENCE, AUTH_JWKS_FILE: keys.jwksFile });
      // The portal's demo sign-in: only here, where the hub signs its own tokens, for the seeded identities.
      Object.assign(authEnv, { DEMO_SIGN_IN_KEY_FILE: join(DATA_DIR, 'auth', 'signing-key.json'), DEMO_IDENTITIES_FILE: identitiesFile });
    }
    // The hub's own internal issuer (service credentials between subgraphs), whichever IdP signs people's tokens.
    if (!process.env.SERVICE_SIGNING_KEY && !process.env.SERVICE_SIGNING_KEY_FILE) {
      authEnv.SERVICE_SIGNING_KEY_FILE = await ensureServiceKey(join(DATA_DIR, 'auth', 'service-key.json'));
    }

    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      console.log(`Starting embedded PostgreSQL (data in ${join(DATA_DIR, 'pg')})...`);
      embedded = await startEmbeddedPostgres(DATA_DIR);
      superviseEmbeddedPostgres(embedded, {
        onEvent: (level, message, fields) => log[level](message, fields),
        onRestarted: () => {
          const gateway = children.at(-1);
          if (!gateway || stopping) return;
          waitReady(`http://127.0.0.1:${gatewayPort}/readyz`, gateway).then(
            () => log.info('hub ready again after the database restart'),
            (error: unknown) => log.warn('hub not ready after the database restart', { error }),
          );
        },
        onGiveUp: (reason) => {
          if (stopping) return;
          log.error(`${reason}. Stopping the hub (exit code 1) for a supervisor to restart it.`);
          void shutdown(1);
        },
      });
      await ensureDatabase(embedded.adminUrl, 'hub');
      databaseUrl = withDatabase(embedded.adminUrl, 'hub');
    }

    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...authEnv,
      DATABASE_URL: databaseUrl,
      HOST: process.env.HOST ?? '127.0.0.1',
      LOG_LEVEL,
      // The demo coalition pays a welcome bonus (0 turns it off; the subgraph's own default is 0).
      WELCOME_BONUS_POINTS: process.env.WELCOME_BONUS_POINTS ?? '100',
      // ...and referral and birthday bonuses (README "Grants, bonuses and cashback").
      REFERRAL_FRIEND_POINTS: process.env.REFERRAL_FRIEND_POINTS ?? '250',
      REFERRAL_REFERRER_POINTS: process.env.REFERRAL_REFERRER_POINTS ?? '500',
      BIRTHDAY_BONUS_POINTS: process.env.BIRTHDAY_BONUS_POINTS ?? '200',
      // Ambassadors in the demo: 3 active friends make one, paid 750 per friend instead of 500 (README "Ambassadors").
      AMBASSADOR_MIN_FRIENDS: process.env.AMBASSADOR_MIN_FRIENDS ?? '3',
      AMBASSADOR_REFERRER_POINTS: process.env.AMBASSADOR_REFERRER_POINTS ?? '750',
      // The demo's segments are small: a partner sees their sizes (README "Segments and personal offers").
      SEGMENT_PARTNER_MIN_SIZE: process.env.SEGMENT_PARTNER_MIN_SIZE ?? '1',
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

    const ports: [string, string, string][] = [
      ...SUBGRAPHS.map((d) => [d.name, new URL(urls[d.name]).port, `${d.name.toUpperCase()}_PORT`] as [string, string, string]),
      ['gateway', gatewayPort, 'PORT'],
    ];
    for (const [name, port, variable] of ports) {
      if (!(await portIsFree(Number(port)))) throw new Error(`Port ${port} (${name}) is in use. Stop what uses it, or set ${variable} to another port.`);
    }

    // Watched from the moment each starts: a process that dies while the others start (its port taken, a
    // crash) stops the hub then, instead of leaving a hub up without it.
    const watch = (name: string, child: ChildProcess): ChildProcess => {
      children.push(child);
      child.once('exit', (code, signal) => {
        if (stopping) return;
        console.error(`The hub's ${name} process exited unexpectedly (${signal ?? `code ${code}`}); stopping.`);
        void shutdown(1);
      });
      return child;
    };

    const mode = process.env.HUB_MODE ?? 'single';
    if (mode !== 'single' && mode !== 'processes') throw new Error('HUB_MODE is single (the default) or processes');
    let gateway;
    if (mode === 'single') {
      const subgraphPorts = Object.fromEntries(SUBGRAPHS.map((d) => [`${d.name.toUpperCase()}_PORT`, new URL(urls[d.name]).port]));
      gateway = watch('hub', spawnService('hub', join(DIST, 'gateway', 'src', 'index.js'), { ...baseEnv, ...routing, ...subgraphPorts, HUB_MODE: 'single', PORT: gatewayPort }));
    } else {
      for (const definition of SUBGRAPHS) {
        const port = new URL(urls[definition.name]).port;
        watch(definition.name, spawnService(definition.name, join(DIST, 'subgraphs', definition.name, 'src', 'index.js'), { ...baseEnv, ...routing, PORT: port }));
      }
      // Subgraphs migrate their own schemas as they start; wait for all before the gateway.
      await Promise.all(SUBGRAPHS.map((d, i) => waitReady(new URL('/readyz', urls[d.name]).toString(), children[i])));
      gateway = watch('gateway', spawnService('gateway', join(DIST, 'gateway', 'src', 'index.js'), { ...baseEnv, ...routing, PORT: gatewayPort }));
    }
    const gatewayUrl = `http://localhost:${gatewayPort}/graphql`;
    await waitReady(`http://127.0.0.1:${gatewayPort}/readyz`, gateway);

    console.log(`\nCoalition Hub is up: ${gatewayUrl}`);
    console.log(`Portal: http://localhost:${gatewayPort}/`);
    console.log(`Database: ${embedded ? `embedded PostgreSQL on port ${embedded.port}` : 'DATABASE_URL'}`);
    if (!keys) {
      console.log('Tokens: trusting the configured issuer; get tokens from it (no demo data is seeded).');
      return;
    }
    const demo = await seedDemo(gatewayUrl, keys);
    if (demo.seeded) console.log('Seeded the demo coalition (4 partners, 2 charities, 10 members with history).');
    const admin0 = await signDevToken(keys, { kind: 'admin' });
    writeFileSync(identitiesFile, JSON.stringify({ identities: await demoIdentities(gatewayUrl, admin0) }, null, 2));
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
