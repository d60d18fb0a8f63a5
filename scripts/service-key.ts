import { chownSync } from 'node:fs';
import { runMain } from '../lib/src';
import { ensureServiceKey } from './lib/dev-auth';

/**
 * `node dist/scripts/service-key.js <file> [uid:gid]`: makes the hub's internal service key at `file`
 * unless one is there, readable only by its owner; with `uid:gid`, gives it to that user (compose's
 * one-shot `service-key` container runs this as root for the image's `node` user, whatever the host uid).
 */
runMain(async () => {
  const [file, owner] = process.argv.slice(2);
  if (!file) throw new Error('usage: service-key <file> [uid:gid]');
  await ensureServiceKey(file);
  if (owner) {
    const [uid, gid] = owner.split(':').map(Number);
    chownSync(file, uid, gid ?? uid);
  }
  console.log(`service key: ${file}`);
});
