import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { probeStatus } from '../../lib/src/http-probe';

/**
 * Starts a compiled entry point as a child process. Its JSON log lines pass through unchanged (they name
 * their service, and a log shipper reads them as they are); any other line is prefixed with `name`. The
 * IPC channel lets the child notice when this process dies, however it dies, and stop too.
 */
export function spawnService(name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, script], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const prefix = `[${name}]`.padEnd(12);
  const relay = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) out.write(line.startsWith('{') ? `${line}\n` : `${prefix} ${line}\n`);
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  return child;
}

/** Polls `url` until it answers 200, the child dies, or `timeoutMs` passes; the error says what it last saw. */
export async function waitReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number | string = 'not tried';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with code ${child.exitCode}`);
    last = await probeStatus(url);
    if (last === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (last answer: ${typeof last === 'number' ? `HTTP ${last}` : last})`);
}

/** Sends SIGTERM and waits for the exit, escalating to SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resolves true when nothing listens on `port` at 127.0.0.1. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
