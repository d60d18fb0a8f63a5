import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { underLock } from './support/build';
import { freePort, portAllocator } from './support/ports';

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

// Ports for servers a test names in advance: never one port to two holders (test/support/ports.ts).
describe('test ports', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(servers.splice(0).map(close));
  });

  it('hands out each port once, below the ephemeral range, however many are asked for at once', async () => {
    const ports = await Promise.all(Array.from({ length: 150 }, () => freePort()));
    expect(new Set(ports).size).toBe(150);
    for (const port of ports) expect(port >= 20_000 && port < 32_768).toBe(true);
  });

  it('never hands another holder a port of a block this one holds (each allocator stands for a process)', async () => {
    const first = portAllocator();
    const second = portAllocator();
    // Both start their search at the same block, the worst case: only the first block's lock keeps them apart.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const a: number[] = [];
    const b: number[] = [];
    // Interleaved, 100 each: both holders go through more than one block of 64 while the other holds its own.
    for (let i = 0; i < 100; i++) {
      a.push(await first());
      b.push(await second());
    }
    const blocks = (ports: number[]) => new Set(ports.map((p) => Math.floor((p - 20_000) / 64)));
    expect([...blocks(a)].filter((block) => blocks(b).has(block))).toEqual([]);
    expect(new Set([...a, ...b]).size).toBe(200);
    // The lock of a block in use is held: a server outside the scheme cannot take it either.
    const lockOf = (port: number) => 20_000 + Math.floor((port - 20_000) / 64) * 64;
    await expect(listen(lockOf(a[0]))).rejects.toThrow(/EADDRINUSE/);
  });

  it('skips a port that something outside the scheme listens on', async () => {
    let port = await freePort();
    while ((port - 20_000) % 64 > 60) port = await freePort(); // two more in its block
    // The next ports of the block, taken by a server that never asked.
    for (const taken of [port + 1, port + 2]) servers.push(await listen(taken));
    const next = await freePort();
    expect(next).not.toBe(port + 1);
    expect(next).not.toBe(port + 2);
    servers.push(await listen(next)); // and it is free
  });

  it('runs work under a port lock one holder at a time, and waits while another process holds it', async () => {
    const lockPort = await freePort(); // a lock of this test's own: the real one (19999) guards dist/
    const log: string[] = [];
    const work = (name: string) => async () => {
      log.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 100));
      log.push(`${name} out`);
      return name;
    };
    expect(await Promise.all([underLock(lockPort, work('a')), underLock(lockPort, work('b')), underLock(lockPort, work('c'))])).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i].replace(' in', ' out'));
    // Held by someone else (a server standing for another process): no work until it lets go.
    const other = await listen(lockPort);
    let done = false;
    const waiting = underLock(lockPort, async () => (done = true));
    await new Promise((r) => setTimeout(r, 400));
    expect(done).toBe(false);
    await close(other);
    await waiting;
    expect(done).toBe(true);
    // And let go after, also when the work fails.
    await expect(underLock(lockPort, () => Promise.reject(new Error('failed')))).rejects.toThrow('failed');
    await close(await listen(lockPort));
  });
});
