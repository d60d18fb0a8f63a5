import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which process answers on a port, read from Linux's /proc (no tools needed): for tests that start
 * processes on ports of their own and must know that what answers there is theirs, not another test's.
 */

/** The inode of the socket listening on `port` (127.0.0.1, or any address), undefined when none listens. */
function listeningInode(port: number): string | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address rem_address st ... inode: state 0A is LISTEN
      if (fields.length > 9 && fields[1].endsWith(`:${hex}`) && fields[3] === '0A') return fields[9];
    }
  }
  return undefined;
}

function holds(pid: number, socket: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === socket;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * The pid of the process listening on `port`: one of `candidates` when it is one of them (checked first,
 * cheaply), else whichever process this user may inspect; undefined when nothing listens, null when
 * something does but its process cannot be seen (another user's).
 */
export function listenerPid(port: number, candidates: number[] = []): number | null | undefined {
  const inode = listeningInode(port);
  if (!inode) return undefined;
  const socket = `socket:[${inode}]`;
  for (const pid of candidates) if (holds(pid, socket)) return pid;
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && holds(Number(entry), socket)) return Number(entry);
  }
  return null;
}

/** A process's command line, for messages ("pid 123: node .../vitest/dist/workers/forks.js"). */
export function describeProcess(pid: number | null | undefined): string {
  if (pid === undefined) return 'nothing';
  if (pid === null) return 'a process this user cannot see';
  try {
    return `pid ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 200)}`;
  } catch {
    return `pid ${pid} (gone)`;
  }
}

/** The live child processes of `pid`, with their command lines. */
export function childrenOf(pid: number): { pid: number; args: string }[] {
  const children: { pid: number; args: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== pid || state === 'Z') continue;
      children.push({ pid: Number(entry), args: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') });
    } catch {
      // exited while we looked
    }
  }
  return children;
}
