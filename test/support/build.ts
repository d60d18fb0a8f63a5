import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { BUILD_LOCK_PORT } from './ports';

const ROOT = join(__dirname, '..', '..');

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Runs `work` while holding a lock shared by every process on the machine: listening on `port` (the kernel
 * frees it when its holder exits, however it exits, so no lock is ever left behind). Waits for the lock
 * up to `waitMs`, polling.
 */
export async function underLock<T>(port: number, work: () => Promise<T>, waitMs = 300_000): Promise<T> {
  let held: Server | undefined;
  for (const deadline = Date.now() + waitMs; !(held = await listenOn(port)) && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!held) throw new Error(`port ${port} (a test lock) stayed held for ${waitMs / 1000} s`);
  const holding = held;
  try {
    return await work();
  } finally {
    await new Promise<void>((resolve) => holding.close(() => resolve()));
  }
}

/**
 * Compiles the hub to dist/ as `npm start` does (tsconfig.build.json, incremental: seconds when dist/ is
 * current), for tests that run the compiled processes. One build at a time on the machine: two test files
 * compiling at once would both rewrite a changed file while the other file's processes load it (a
 * half-written module is a SyntaxError in a child that then "died"). Type errors (tsc's exit status 2,
 * JavaScript emitted all the same) are `npm run typecheck`'s to report.
 */
export function buildDist(): Promise<void> {
  return underLock(
    BUILD_LOCK_PORT,
    () =>
      new Promise<void>((resolve, reject) => {
        const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
        execFile(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
          if (error && error.code !== 2) reject(new Error(`tsc -p tsconfig.build.json failed (${error.code ?? error.signal}):\n${stdout}${error.message}`));
          else resolve();
        });
      }),
  );
}
