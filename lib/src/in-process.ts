import { fetch as whatwgFetch, ReadableStream as WhatwgReadableStream, Response as WhatwgResponse } from '@whatwg-node/fetch';

/**
 * The single-process hub: the gateway and the four subgraphs in one Node process, calling each other
 * without HTTP. Each subgraph registers a handler under its own URL; once `enableInProcessCalls()` has been
 * called, `hubFetch` hands requests for those URLs straight to the handler (a Fetch API Request in, a
 * Response out) and sends everything else over the network. The subgraph still verifies the bearer
 * token, applies its limits and builds its context exactly as for an HTTP request: only the socket,
 * the HTTP parsing and the serialisation hop go. Off by default: separate processes keep using HTTP.
 */
/** A request handed to a subgraph in this process: header names in lower case, the body as text. */
export interface InProcessRequest {
  method: string;
  /** Path and query string. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface InProcessAnswer {
  status: number;
  headers: Record<string, string>;
  /** Text, or a stream of it (a subscription's events), ended with `return()` when the caller cancels. */
  body: string | AsyncIterable<string>;
}

export type InProcessHandler = (request: InProcessRequest) => Promise<InProcessAnswer>;

const handlers = new Map<string, InProcessHandler>();
let enabled = false;
let calls = 0;

/** How many requests this process has served in-process (for tests and diagnostics). */
export function inProcessCallCount(): number {
  return calls;
}

/** Registers a subgraph's handler under its URL (origin and path); returns the unregistration. */
export function registerInProcess(url: string, handler: InProcessHandler): () => void {
  const key = routeKey(url);
  handlers.set(key, handler);
  return () => {
    if (handlers.get(key) === handler) handlers.delete(key);
  };
}

/** Turns in-process calls on for this process (the single-process entry point does, nothing else). */
export function enableInProcessCalls(): void {
  enabled = true;
}

/**
 * `fetch`, except that calls to a subgraph served by this very process skip the network. The call is
 * handed over as plain strings (no Fetch API Request: building and reading its body stream cost more CPU
 * than the subgraph's own work on a card lookup), and the answer comes back as a string-bodied Response
 * of @whatwg-node/fetch, the gateway runtime's own Fetch API, which reads such a body without a stream.
 * The caller's abort signal is not followed by a call answered with text: it runs to its end like a local
 * function (following it also piled listeners on the gateway's long-lived signal). A streamed answer (a
 * subscription's events) follows it while it streams.
 * Every other call goes over the network through @whatwg-node/fetch (node:http with keep-alive), not Node's
 * global fetch (undici and web streams): measured with one process per part, a card lookup cost the gateway
 * 1.48 ms of CPU through the global fetch and 0.66 ms through this one (`npm run bench -- --mode processes`,
 * `gateway CPU ms/flow`).
 */
export const hubFetch: typeof fetch = async (input, init) => {
  if (enabled) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const handler = handlers.get(routeKey(url));
    if (handler) {
      calls++;
      const request = typeof input === 'string' || input instanceof URL ? undefined : input;
      const parsed = new URL(url);
      const answer = await handler({
        method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
        url: parsed.pathname + parsed.search,
        headers: headersOf(init?.headers ?? request?.headers),
        body: init?.body != null ? await textOf(init.body) : request ? await request.text() : '',
      });
      const body = typeof answer.body === 'string' ? answer.body : streamOf(answer.body, init?.signal ?? request?.signal);
      return new WhatwgResponse(body, { status: answer.status, headers: answer.headers }) as unknown as Response;
    }
  }
  return whatwgFetch(input as never, init as never) as unknown as Promise<Response>;
};

/**
 * A streamed answer as the body of a Response: read as the reader pulls, and ended (the subscription with
 * it) when the reader cancels or the caller aborts, as a closed connection ends it over HTTP. Only a stream
 * follows the signal, and only while it runs.
 */
function streamOf(chunks: AsyncIterable<string>, signal: AbortSignal | null | undefined): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    signal?.removeEventListener('abort', end);
    void iterator.return?.()?.catch(() => undefined);
  };
  if (signal?.aborted) end();
  else signal?.addEventListener('abort', end, { once: true });
  return new WhatwgReadableStream({
    async pull(controller) {
      const { value, done } = ended ? { value: undefined, done: true } : await iterator.next();
      if (done) {
        signal?.removeEventListener('abort', end);
        controller.close();
      } else {
        controller.enqueue(encoder.encode(value));
      }
    },
    cancel: end,
  });
}

function headersOf(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  if (Array.isArray(init)) {
    for (const [name, value] of init) out[name.toLowerCase()] = value;
  } else if (typeof (init as Headers).forEach === 'function') {
    (init as Headers).forEach((value, name) => (out[name.toLowerCase()] = value));
  } else {
    for (const [name, value] of Object.entries(init as Record<string, string>)) if (value != null) out[name.toLowerCase()] = String(value);
  }
  return out;
}

async function textOf(body: BodyInit): Promise<string> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return new Response(body).text();
}

function routeKey(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname;
  return `${host}:${parsed.port}${parsed.pathname}`;
}
