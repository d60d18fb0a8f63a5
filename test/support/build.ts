import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { BUILD_LOCK_PORT } from './ports';

const ROOT = join(__dirname, '..', '..');
const LOCK_WAIT_MS = 300_000;

function lock(): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(BUILD_LOCK_PORT, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Compiles the hub to dist/ as `npm start` does (tsconfig.build.json, incremental: seconds when dist/ is
 * current), for tests that run the compiled processes. One build at a time on the machine: two test files
 * compiling at once would both rewrite a changed file while the other file's processes load it (a
 * half-written module is a SyntaxError in a child that then "died"). The lock is a port the kernel frees
 * when its holder exits, however it exits. Type errors (tsc's exit status 2, JavaScript emitted all the
 * same) are `npm run typecheck`'s to report.
 */
export async function buildDist(): Promise<void> {
  let held: Server | undefined;
  for (const deadline = Date.now() + LOCK_WAIT_MS; !(held = await lock()) && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!held) throw new Error(`dist/ not built: port ${BUILD_LOCK_PORT} (the test build lock) stayed held for ${LOCK_WAIT_MS / 1000} s`);
  const holding = held;
  try {
    await new Promise<void>((resolve, reject) => {
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      execFile(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
        if (error && error.code !== 2) reject(new Error(`tsc -p tsconfig.build.json failed (${error.code ?? error.signal}):\n${stdout}${error.message}`));
        else resolve();
      });
    });
  } finally {
    await new Promise<void>((resolve) => holding.close(() => resolve()));
  }
}
