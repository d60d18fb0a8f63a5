import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, superviseEmbeddedPostgres } from '../../scripts/lib/embedded-db';
import { graphql } from '../../scripts/lib/graphql-client';
import { buildDist } from '../support/build';
import { freePort } from '../support/ports';

/**
 * `npm start` as a user runs it: the compiled scripts/start.js, its own embedded PostgreSQL in a temporary
 * HUB_DATA_DIR, ports of its own. The database is killed outright and the hub must answer again by itself.
 */
const ROOT = join(__dirname, '..', '..');
const START = join(ROOT, 'dist', 'scripts', 'start.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment of a user's shell: no test database, no identity provider. */
function userEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name === 'DATABASE_URL' || name.startsWith('AUTH_') || name.startsWith('SERVICE_SIGNING_KEY') || name.endsWith('_PORT') || name === 'PORT' || name === 'HUB_MODE') delete env[name];
  }
  return { ...env, ...extra };
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs start.js in a process group of its own, as a terminal would (Ctrl+C reaches the whole group). */
function runStart(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [START], { env: userEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(started: Started, text: string, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    if (started.output().includes(text)) return;
    if (started.child.exitCode !== null) break;
  }
  throw new Error(`start.js did not print "${text}":\n${started.output()}`);
}

// The compiled scripts, as `npm start` builds them.
beforeAll(buildDist, 180_000);

describe('npm start heals itself', () => {
  let dataDir: string;
  let hub: Started | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hub-start-'));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as another user
  });

  afterAll(async () => {
    if (hub?.child.pid && hub.child.exitCode === null) {
      process.kill(-hub.child.pid, 'SIGKILL');
      await hub.exited;
    }
    const pidFile = join(dataDir, 'pg', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGINT');
      for (let i = 0; i < 50 && pid > 0 && alive(pid); i++) await sleep(100);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts its embedded PostgreSQL after a kill -9 and answers queries again, then stops cleanly on Ctrl+C', async () => {
    const gatewayPort = await freePort();
    const ports = { MEMBERS_PORT: await freePort(), POINTS_PORT: await freePort(), PARTNERS_PORT: await freePort(), DONATIONS_PORT: await freePort() };
    hub = runStart({ HUB_DATA_DIR: dataDir, PORT: String(gatewayPort), ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), LOG_LEVEL: 'info' });
    await waitFor(hub, 'Press Ctrl+C to stop.', 120_000);
    const token = /export ADMIN_TOKEN=(\S+)/.exec(hub.output())?.[1] ?? '';
    const url = `http://127.0.0.1:${gatewayPort}/graphql`;
    const charities = '{ charities { nodes { id name } } }';
    const before = await graphql<{ charities: { nodes: { id: string }[] } }>(url, charities, {}, token);
    expect(before.errors).toBeUndefined();
    expect(before.data?.charities.nodes).toHaveLength(2);

    const pidFile = join(dataDir, 'pg', 'postmaster.pid');
    const killed = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    process.kill(killed, 'SIGKILL');
    const killedAt = Date.now();
    let after: Awaited<ReturnType<typeof graphql>> | undefined;
    while (Date.now() - killedAt < 30_000) {
      await sleep(250);
      after = await graphql(url, charities, {}, token).catch(() => undefined);
      if (after?.status === 200 && !after.errors) break;
    }
    expect(after?.errors).toBeUndefined();
    expect(after?.data).toEqual(before.data);
    const restartedPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    expect(restartedPid).not.toBe(killed);
    expect(alive(restartedPid)).toBe(true);
    await waitFor(hub, '"message":"embedded PostgreSQL restarted"', 5_000);
    // The supervisor's own readiness notice may come after our query answered: wait for it before Ctrl+C.
    await waitFor(hub, '"message":"hub ready again after the database restart"', 30_000);
    expect(hub.output()).toContain('"message":"embedded PostgreSQL exited unexpectedly; restarting it","reason":"killed by SIGKILL"');
    console.log(`recovered ${Date.now() - killedAt} ms after the kill`);

    // Ctrl+C: the terminal sends SIGINT to the whole process group.
    const mark = hub.output().length;
    process.kill(-hub.child.pid!, 'SIGINT');
    expect(await hub.exited).toBe(0);
    // Nothing but the notice (and an access line still being written): no errors, warnings or stacks.
    const shutdown = hub.output().slice(mark).split('\n').filter((line) => line.trim() && !line.includes('"message":"request"'));
    expect(shutdown).toEqual(['Stopping the hub...']);
    expect(alive(restartedPid)).toBe(false);
  }, 180_000);

  it('refuses, at once and with the reason, a port that fetch refuses', async () => {
    const started = Date.now();
    const refused = runStart({ HUB_DATA_DIR: dataDir, PORT: '6000' });
    expect(await refused.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(refused.output()).toContain("PORT: port 6000 is on the Fetch standard's list of blocked ports; browsers and Node's fetch refuse to connect to it. Choose another port.");
  }, 15_000);
});

describe('embedded PostgreSQL supervision', () => {
  it('restarts a killed server a bounded number of times, then gives up with the reason', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-supervise-'));
    chmodSync(dataDir, 0o755);
    const db = await startEmbeddedPostgres(dataDir);
    try {
      const events: string[] = [];
      let restarted = 0;
      let gaveUp: string | undefined;
      superviseEmbeddedPostgres(db, {
        maxRestarts: 1,
        onEvent: (level, message) => events.push(`${level}: ${message}`),
        onRestarted: () => restarted++,
        onGiveUp: (reason) => (gaveUp = reason),
      });
      const first = db.pid!;
      process.kill(first, 'SIGKILL');
      for (let i = 0; i < 150 && restarted === 0; i++) await sleep(100);
      expect(restarted).toBe(1);
      expect(db.pid).not.toBe(first);
      process.kill(db.pid!, 'SIGKILL');
      for (let i = 0; i < 50 && gaveUp === undefined; i++) await sleep(100);
      expect(gaveUp).toMatch(/^embedded PostgreSQL killed by SIGKILL, already restarted 1 time\(s\) in 10 minutes; not restarting it again/);
      expect(restarted).toBe(1);
      expect(db.pid).toBeUndefined();
      // A restart may fail while the killed server's children still hold the port or shared memory; the
      // supervisor then tries again (still one restart): "restart failed; retrying" may come between.
      expect(events[0]).toBe('warn: embedded PostgreSQL exited unexpectedly; restarting it');
      expect(events.at(-1)).toBe('info: embedded PostgreSQL restarted');
      expect(events.slice(1, -1).every((e) => e === 'warn: embedded PostgreSQL restart failed; retrying')).toBe(true);
    } finally {
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
