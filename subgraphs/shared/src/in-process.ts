/**
 * The single-process hub: the gateway and the four subgraphs in one Node process, calling each other
 * without HTTP. Each subgraph registers a handler under its own URL; once `enableInProcessCalls()` has been
 * called, `hubFetch` hands requests for those URLs straight to the handler (a Fetch API Request in, a
 * Response out) and sends everything else over the network. The subgraph still verifies the bearer
 * token, applies its limits and builds its context exactly as for an HTTP request: only the socket,
 * the HTTP parsing and the serialisation hop go. Off by default: separate processes keep using HTTP.
 */
export type InProcessHandler = (request: Request) => Promise<Response>;

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

/** `fetch`, except that calls to a subgraph served by this very process skip the network. */
export const hubFetch: typeof fetch = async (input, init) => {
  if (enabled) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const handler = handlers.get(routeKey(url));
    if (handler) {
      calls++;
      if (input instanceof Request && !init) return handler(input);
      // Not `new Request(input, init)`: a Request follows `init.signal` through a listener that goes only
      // when the Request is garbage-collected, and the gateway passes one long-lived signal to every
      // upstream call, so listeners piled up in the thousands (and each add walks the list). A call
      // served in-process cannot be cut off half-way anyway: it runs to its end like a local function.
      return handler(new Request(url, { method: init?.method, headers: init?.headers, body: init?.body }));
    }
  }
  return fetch(input, init);
};

function routeKey(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname;
  return `${host}:${parsed.port}${parsed.pathname}`;
}
