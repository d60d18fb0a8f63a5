import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runMain } from '../lib/src';
import { generatePortalClient, REPO_ROOT } from './lib/portal-codegen';

/**
 * `--write` regenerates the portal's typed documents and trusted-documents manifest (portal/src/gql) from
 * its sources and the committed supergraph; `--check` regenerates in memory and fails on any drift.
 */
runMain(async () => {
  const mode = process.argv.includes('--write') ? 'write' : 'check';
  const files = await generatePortalClient();
  if (mode === 'write') {
    for (const file of files) {
      mkdirSync(dirname(join(REPO_ROOT, file.path)), { recursive: true });
      writeFileSync(join(REPO_ROOT, file.path), file.content);
    }
    console.log(`wrote ${files.map((f) => f.path).join(', ')}`);
    return;
  }
  const drift = files.filter((f) => !existsSync(join(REPO_ROOT, f.path)) || readFileSync(join(REPO_ROOT, f.path), 'utf8') !== f.content);
  if (drift.length > 0) {
    console.error(`Portal client drift in: ${drift.map((f) => f.path).join(', ')}\nRun \`npm run portal:generate\` and commit the result.`);
    process.exit(1);
  }
  console.log(`portal/src/gql is up to date (${files.length} files)`);
});
