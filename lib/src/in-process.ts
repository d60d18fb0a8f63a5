import { Response as WhatwgResponse } from '@whatwg-node/fetch';

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
  body: string;
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
 * The caller's abort signal is not followed: a call served in-process runs to its end like a local
 * function (following it also piled listeners on the gateway's long-lived signal).
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
      return new WhatwgResponse(answer.body, { status: answer.status, headers: answer.headers }) as unknown as Response;
    }
  }
  return fetch(input, init);
};

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
