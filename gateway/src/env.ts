import { z } from 'zod';
import { authEnv, GATEWAY_LIMITS, limitsEnv, rateLimitEnv, serverEnv } from '../../lib/src';
import { parseOrigins } from './cors';

export const gatewayEnv = {
  ...serverEnv,
  ...authEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  SUPERGRAPH_PATH: z.string().min(1).optional(),
  MEMBERS_URL: z.url().optional(),
  POINTS_URL: z.url().optional(),
  PARTNERS_URL: z.url().optional(),
  DONATIONS_URL: z.url().optional(),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(102_400),
  /** The largest bulk file POST /imports/grants.csv takes (its rows must also fit the points subgraph's MAX_BODY_BYTES as JSON). */
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(262_144),
  ...limitsEnv(GATEWAY_LIMITS),
  /** Rate limits: requests per window per partner, member, other subject, and unauthenticated address. */
  ...rateLimitEnv,
  /**
   * Live updates (GET /events/stream): the database whose `hub_events` channel the points subgraph's outbox
   * announces events on; DATABASE_URL when unset (npm start and compose give every process one). The
   * gateway only LISTENs there; it reads no table.
   */
  EVENTS_DATABASE_URL: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),
  /** Seconds between keep-alive comments on an idle live-updates stream. */
  EVENTS_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  /** Shares rate-limit counters between gateway instances; in memory per instance when unset. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** How many proxies in front of the gateway append to X-Forwarded-For (0: use the socket address). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Query planning and execution: `router`, Hive Router's Rust query planner (@graphql-hive/router-runtime),
   * or `stitching`, the gateway runtime's JavaScript default. See the README's benchmark section.
   */
  GATEWAY_PLANNER: z.enum(['router', 'stitching']).default('router'),
  /**
   * The built portal served at `/` (index.html and assets/); dist/portal when unset. Its
   * persisted-documents.json (the portal's operations by SHA-256) is known to the persisted-query store from
   * the start, so the portal sends hashes only, with or without TRUSTED_DOCUMENTS_FILE.
   */
  PORTAL_DIR: z.string().min(1).optional(),
  /**
   * The portal's sign-in with an external identity provider (OpenID Connect, authorization code with PKCE):
   * the issuer (AUTH_ISSUER when unset), the portal's public client id, the scopes it asks for and the
   * resource (RFC 8707) its access tokens are for, when the provider needs one to issue this hub's tokens.
   */
  PORTAL_OIDC_CLIENT_ID: z.string().min(1).optional(),
  PORTAL_OIDC_ISSUER: z.url().optional(),
  PORTAL_OIDC_SCOPE: z.string().min(1).default('openid member member:signup'),
  PORTAL_OIDC_RESOURCE: z.string().min(1).optional(),
  /**
   * The portal's demo sign-in (`npm start` sets both when the hub signs its own tokens): the private key whose
   * public half is in AUTH_JWKS_FILE, and the seeded identities it may mint tokens for. Refused whenever
   * AUTH_JWKS_URL (an external issuer) is set.
   */
  DEMO_SIGN_IN_KEY_FILE: z.string().min(1).optional(),
  DEMO_IDENTITIES_FILE: z.string().min(1).optional(),
  /** A manifest of the only operations the gateway runs (trusted documents); every operation when unset. */
  TRUSTED_DOCUMENTS_FILE: z.string().min(1).optional(),
  /**
   * Browser origins allowed to call the gateway from their pages (CORS), comma-separated exact origins
   * such as `https://portal.example.com`; none when unset (the hub's own pages are same-origin).
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const { origins, wrong } = parseOrigins(value);
      for (const origin of wrong) ctx.addIssue({ code: 'custom', message: `${origin} is not an exact origin (scheme://host[:port], no path or wildcard)` });
      return origins;
    }),
};
