import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Ports for servers a test starts on a port it must name in advance (a subgraph its peers call, a child
 * process told PORT=...), handed out so that no two holders get the same one: not two calls in one test
 * file, not two test files vitest runs at once, not two test runs on one machine.
 *
 * A port is free for the moment a bind-check looks; a child process binds it seconds later (after it
 * started and migrated), and a killed one binds it again after a restart. In between, any other process
 * may be handed it too. So each test process claims a block of ports by listening on the block's first
 * port, for as long as it lives (the kernel lets go when it exits, however it exits: no lock files to go
 * stale), and hands out the rest of the block only to itself, each once, each bind-checked (a port held
 * by something outside this scheme is skipped). Blocks lie below the kernel's ephemeral range
 * (ip_local_port_range, 32768-60999 by default), where listen(0) and every outgoing connection (to
 * PostgreSQL, to a subgraph) take their ports, so a connection cannot take a port before its server binds.
 */
const BLOCK_SIZE = 64;
const FIRST_PORT = 20_000;
/** The port before the first block: the lock `buildDist` takes (test/support/build.ts). */
export const BUILD_LOCK_PORT = FIRST_PORT - 1;

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > FIRST_PORT + BLOCK_SIZE) return low;
  } catch {
    // not Linux: the IANA dynamic range starts at 49152, Linux's default at 32768
  }
  return 32_768;
}

const BLOCKS = Math.floor((ephemeralLow() - FIRST_PORT) / BLOCK_SIZE);

/** Listens on 127.0.0.1:`port`; answers the server, or undefined when something else holds the port. */
function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function bindable(port: number): Promise<boolean> {
  const server = await listenOn(port);
  if (!server) return false;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return true;
}

interface Block {
  lock: Server;
  next: number;
  end: number;
}

/** Claims a block no other live process holds (tries blocks at random, so that processes rarely collide). */
async function claimBlock(): Promise<Block> {
  const start = Math.floor(Math.random() * BLOCKS);
  for (let i = 0; i < BLOCKS; i++) {
    const first = FIRST_PORT + ((start + i) % BLOCKS) * BLOCK_SIZE;
    const lock = await listenOn(first);
    if (!lock) continue;
    lock.unref(); // held while the process lives, never keeps it alive
    return { lock, next: first + 1, end: first + BLOCK_SIZE };
  }
  throw new Error(`no free block of ${BLOCK_SIZE} ports between ${FIRST_PORT} and ${ephemeralLow()}: every one is held by a live process`);
}

/** A process's hand-out of ports (one per process: `freePort`; tests of the scheme make more, one per process they stand for). */
export function portAllocator(): () => Promise<number> {
  let current: Block | undefined;
  let claiming: Promise<Block> | undefined;
  return async () => {
    for (;;) {
      while (!current || current.next >= current.end) {
        claiming ??= claimBlock().finally(() => (claiming = undefined));
        current = await claiming;
      }
      const port = current.next++;
      if (await bindable(port)) return port;
    }
  };
}

/**
 * A port on 127.0.0.1 that nothing listens on now and that no other caller of `freePort` (in this process
 * or any other) will be handed while this process lives. The caller's server (or child process) binds it.
 */
export const freePort = portAllocator();
