import { type GatewayPlugin } from '@graphql-hive/gateway-runtime';

/** What the CORS answer for one allowed origin says (the shape Yoga's CORS plugin takes), or `false`: none. */
export type CorsAnswer =
  | { origin: string[]; methods: string[]; exposedHeaders: string[]; credentials: boolean; maxAge: number }
  | false;

/**
 * Cross-origin access to the gateway: only the configured origins (CORS_ORIGINS, exact matches) get
 * `Access-Control-Allow-Origin`, echoing their own origin; any other origin gets no CORS headers at all, so
 * a browser there cannot read an answer (nor send a token: the Authorization header needs a preflight).
 * The hub's own pages (GraphiQL) are same-origin and need none. No credentials: the gateway reads tokens
 * from the Authorization header only, never cookies. Request headers asked for in a preflight are
 * allowed as asked (the origin is trusted); the response headers a client needs are exposed.
 */
export function corsPolicy(origins: readonly string[]): (request: Request) => CorsAnswer {
  const allowed = new Set(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed.has(origin)) return false;
    return { origin: [origin], methods: ['GET', 'POST'], exposedHeaders: ['x-request-id', 'retry-after'], credentials: false, maxAge: 600 };
  };
}

/** CORS_ORIGINS: comma-separated exact origins (`scheme://host[:port]`); anything else names itself as wrong. */
export function parseOrigins(value: string): { origins: string[]; wrong: string[] } {
  const listed = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const wrong = listed.filter((o) => {
    if (o.includes('*')) return true; // no wildcards: each origin is listed
    try {
      return new URL(o).origin !== o;
    } catch {
      return true;
    }
  });
  return { origins: listed.filter((o) => !wrong.includes(o)), wrong };
}

/**
 * `Vary: Origin` on every answer: whether it carries CORS headers depends on the request's origin, so a
 * cache must not hand one origin's answer to another (Yoga adds it only when it echoes one of several).
 */
export function useVaryOnOrigin(): GatewayPlugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (!vary) response.headers.set('vary', 'Origin');
      else if (!/(^|,)\s*origin\s*(,|$)/i.test(vary)) response.headers.set('vary', `${vary}, Origin`);
    },
  };
}
