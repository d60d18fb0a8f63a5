import 'reflect-metadata';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../lib/src';
import { composeSchemas } from './lib/compose';

/**
 * `--write` regenerates schema/<subgraph>.graphql and schema/supergraph.graphql from code;
 * `--check` regenerates in memory and fails on any drift from the committed files.
 */
const SCHEMA_DIR = join(__dirname, '..', '..', 'schema');

runMain(async () => {
  const mode = process.argv.includes('--write') ? 'write' : 'check';
  const { subgraphs, supergraph } = await composeSchemas();
  const files = new Map<string, string>(subgraphs.map((s) => [`${s.name}.graphql`, `${s.sdl.trim()}\n`]));
  files.set('supergraph.graphql', `${supergraph.trim()}\n`);
  if (mode === 'write') {
    mkdirSync(SCHEMA_DIR, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(SCHEMA_DIR, name), text);
    console.log(`wrote ${[...files.keys()].join(', ')} to schema/`);
    return;
  }
  const drift = [...files].filter(([name, text]) => {
    const path = join(SCHEMA_DIR, name);
    return !existsSync(path) || readFileSync(path, 'utf8') !== text;
  });
  if (drift.length > 0) {
    console.error(`Schema drift in: ${drift.map(([n]) => `schema/${n}`).join(', ')}\nRun \`npm run schema:generate\` and commit the result.`);
    process.exit(1);
  }
  console.log(`schema/ is up to date (${files.size} files)`);
});
