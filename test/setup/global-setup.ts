import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureDatabase, withDatabase } from '../../subgraphs/shared/src/db';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../scripts/lib/embedded-db';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run: the server at DATABASE_URL when set, else an embedded one in
 * a temporary directory. Either way the run gets a fresh database of its own, dropped at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
  project.provide('databaseUrl', withDatabase(adminUrl, database));

  return async () => {
    if (embedded) {
      await embedded.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      return;
    }
    const client = new Client({ connectionString: adminUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
}
