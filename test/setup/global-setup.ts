import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureDatabase, withDatabase } from '../../lib/src/persistence/db';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../scripts/lib/embedded-db';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

interface SharedDatabase {
  databaseUrl: string;
  users: number;
  stop(): Promise<void>;
}

const SHARED = Symbol.for('coalition-hub.test-database');
type Holder = { [SHARED]?: Promise<SharedDatabase> };

/** Starts (or, with DATABASE_URL, creates on that server) the run's database. */
async function startDatabase(): Promise<SharedDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'hub-test-pg-'));
    chmodSync(dataDir, 0o755); // PostgreSQL runs as another user when the tests run as root
    embedded = await startEmbeddedPostgres(dataDir);
    adminUrl = embedded.adminUrl;
  }
  const database = `hub_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(adminUrl, database);
  const admin = adminUrl;
  return {
    databaseUrl: withDatabase(adminUrl, database),
    users: 0,
    async stop() {
      if (embedded) {
        await embedded.stop();
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
        return;
      }
      const client = new Client({ connectionString: admin });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * One real PostgreSQL for the whole run: the server at DATABASE_URL when set, else an embedded one in
 * a temporary directory. Either way the run gets a fresh database of its own, dropped at the end. The
 * integration and e2e projects both list this setup; they share one database (kept on the main process's
 * globalThis), and the last project to finish stops it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const holder = globalThis as Holder;
  holder[SHARED] ??= startDatabase();
  const shared = await holder[SHARED];
  shared.users++;
  project.provide('databaseUrl', shared.databaseUrl);
  return async () => {
    if (--shared.users > 0) return;
    delete holder[SHARED];
    await shared.stop();
  };
}
