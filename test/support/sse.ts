/**
 * A GraphQL-over-SSE client ("distinct connections" mode) over fetch, as a browser or `curl -N` would hold a
 * subscription open: one POST (or GET) with `Accept: text/event-stream`, then `next` events until `complete`.
 * Collects the events and lets a test wait for one.
 */

export interface GraphQLEvent<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

export interface Subscription<T = Record<string, unknown>> {
  /** The HTTP answer (200 with an event stream, or a refusal before any stream: 401, 429, …). */
  response: Response;
  /** Each `next` event's GraphQL result, in order. */
  events: GraphQLEvent<T>[];
  /** True once the stream sent `complete` or ended. */
  readonly completed: boolean;
  waitFor(match: (e: GraphQLEvent<T>) => boolean, ms?: number): Promise<GraphQLEvent<T>>;
  /** Waits for the stream to complete (a refused subscription completes after its one error event). */
  waitForComplete(ms?: number): Promise<void>;
  close(): void;
}

export interface SubscribeOptions {
  token?: string | null;
  variables?: Record<string, unknown>;
  /** A trusted document's id instead of the query text. */
  documentId?: string;
  method?: 'GET' | 'POST';
  operationName?: string;
}

const ARRIVAL_MS = 5_000;

export async function subscribe<T = Record<string, unknown>>(url: string, query: string | null, options: SubscribeOptions = {}): Promise<Subscription<T>> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const params: Record<string, unknown> = {
    ...(query !== null ? { query } : {}),
    ...(options.documentId ? { documentId: options.documentId } : {}),
    ...(options.variables ? { variables: options.variables } : {}),
    ...(options.operationName ? { operationName: options.operationName } : {}),
  };
  let response: Response;
  if (options.method === 'GET') {
    const target = new URL(url);
    for (const [key, value] of Object.entries(params)) target.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    response = await fetch(target, { headers, signal: controller.signal });
  } else {
    response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(params), signal: controller.signal });
  }
  const events: GraphQLEvent<T>[] = [];
  const waiters: (() => void)[] = [];
  let completed = false;
  const wake = () => waiters.splice(0).forEach((w) => w());
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    void readSseBlocks(response.body!, ({ event, data }) => {
      if (event === 'complete') completed = true;
      else if (event === 'next' && data) events.push(JSON.parse(data) as GraphQLEvent<T>);
      wake();
    }).then(() => {
      completed = true;
      wake();
    });
  } else {
    completed = true;
  }
  const until = async (done: () => boolean, ms: number, what: string) => {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what} within ${ms} ms; got ${JSON.stringify(events)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, left);
      });
    }
  };
  return {
    response,
    events,
    get completed() {
      return completed;
    },
    async waitFor(match, ms = ARRIVAL_MS) {
      await until(() => events.some(match), ms, 'no matching event');
      return events.find(match)!;
    },
    async waitForComplete(ms = ARRIVAL_MS) {
      await until(() => completed, ms, 'no complete');
    },
    close: () => controller.abort(),
  };
}

/** One Server-Sent Events block: its `event` (default `message`), `id` and `data` (its data lines joined). */
export interface SseBlock {
  event: string;
  id?: string;
  data: string;
}

/** Reads an event stream to its end (or until it is aborted), handing each block over as it completes. */
export async function readSseBlocks(body: NonNullable<Response['body']>, onBlock: (block: SseBlock) => void): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const lines = buffer.slice(0, end).split('\n').filter((l) => !l.startsWith(':') && l.includes(':'));
        buffer = buffer.slice(end + 2);
        const field = (name: string) => lines.filter((l) => l.startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).trim());
        onBlock({ event: field('event')[0] ?? 'message', id: field('id')[0], data: field('data').join('\n') });
      }
    }
  } catch {
    // aborted
  }
}
