import { z } from 'zod';
import { limitsEnv, SUBGRAPH_LIMITS } from './limits';
import { isFetchBlockedPort } from './ports';

/** Thrown when the environment cannot be parsed; bootstraps print it and exit with status 1. */
export class ConfigError extends Error {}

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Settings every process that verifies tokens needs. */
export const authEnv = {
  AUTH_ISSUER: z.string().min(1, 'AUTH_ISSUER is required'),
  AUTH_AUDIENCE: z.string().min(1, 'AUTH_AUDIENCE is required'),
  // jose fetches the JWKS with fetch, which refuses the Fetch standard's blocked ports: every token would
  // fail as "Invalid token", so such a URL is refused at start instead.
  AUTH_JWKS_URL: z
    .url()
    .refine((url) => !isFetchBlockedPort(Number(new URL(url).port)), 'its port is on the Fetch standard\'s list of blocked ports (fetch refuses it); serve the JWKS on another port')
    .optional(),
  AUTH_JWKS_FILE: z.string().min(1).optional(),
  AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(30).default(30),
  /** How long fetched keys are trusted before the JWKS is fetched again. */
  AUTH_JWKS_CACHE_MAX_AGE_MS: z.coerce.number().int().min(0).default(600_000),
  /** The least time between two JWKS fetches caused by tokens naming an unknown `kid`. */
  AUTH_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  /** How long a verified token is remembered (the signature is not checked again); 0 turns it off. */
  AUTH_VERIFIED_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
  /** Claims holding scopes, comma-separated, each a space-separated string or an array (Entra ID app tokens: add `roles`). */
  AUTH_SCOPE_CLAIMS: z.string().regex(/^[^\s,]+(,[^\s,]+)*$/, 'comma-separated claim names').default('scope,scp'),
  /** Claim names of the partner, member and charity ids in the people's tokens. */
  AUTH_PARTNER_ID_CLAIM: z.string().min(1).default('partner_id'),
  AUTH_MEMBER_ID_CLAIM: z.string().min(1).default('member_id'),
  AUTH_CHARITY_ID_CLAIM: z.string().min(1).default('charity_id'),
};

/**
 * The hub's internal issuer (service-token.ts): the subgraphs' own credentials for internal operations,
 * independent of the people's identity provider. Required by the subgraphs that call internal operations.
 */
export const serviceEnv = {
  SERVICE_ISSUER: z.string().min(1).default('urn:coalition-hub:services'),
  SERVICE_AUDIENCE: z.string().min(1).default('coalition-hub-services'),
  /** The private JWK itself (for secret stores that hand out values, not files); wins over the file. */
  SERVICE_SIGNING_KEY: z.string().min(1).optional(),
  SERVICE_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** More public keys to trust for service credentials: the previous key, while a new one rolls out. */
  SERVICE_JWKS_FILE: z.string().min(1).optional(),
};

const perWindow = z.coerce.number().int().min(0);

/** Rate limits by caller (rate-limit.ts): the gateway's and each subgraph port's, same names and defaults. */
export const rateLimitEnv = {
  /** Requests per window per partner, member, other subject, and unauthenticated address. */
  RATE_LIMIT_ENABLED: bool.default(true),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(60_000),
  RATE_LIMIT_PARTNER: perWindow.default(1_200),
  RATE_LIMIT_MEMBER: perWindow.default(120),
  RATE_LIMIT_OTHER: perWindow.default(600),
  RATE_LIMIT_ANONYMOUS: perWindow.default(60),
};

export const serverEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** When set, GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open (keep the port private). */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
};

/** Settings every subgraph needs: its port, its database and its auth. */
export const subgraphEnv = (defaultPort: number) => ({
  ...serverEnv,
  ...authEnv,
  ...serviceEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort),
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required'),
  /**
   * A streaming replica of DATABASE_URL's server: reports and exports (settlement statements, programme KPIs,
   * giving reports, member data exports) read there, on read-only connections; everything else, and every
   * read that must see the caller's own writes, stays on the primary. Unset: the primary serves them too.
   */
  DATABASE_REPLICA_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /** Named prepared statements (see `sql`); false behind a pooler that cannot keep them (PgBouncer's transaction mode before 1.21). */
  DB_PREPARED_STATEMENTS: bool.default(true),
  MIGRATE_ON_START: bool.default(true),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(262_144),
  ...limitsEnv(SUBGRAPH_LIMITS),
  ...rateLimitEnv,
  /**
   * A subgraph's port allows each caller this many times the gateway's budget: one gateway request can make
   * several calls to one subgraph, and points forwards its caller's token to members and partners.
   */
  SUBGRAPH_RATE_LIMIT_FACTOR: z.coerce.number().int().min(1).max(100).default(4),
  /** Shares the subgraph's rate-limit counters between its instances; in memory per instance when unset. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** How often the purge job removes what no one needs any more (purge.ts; 0: never), and rows per batch. */
  PURGE_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
  PURGE_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1_000),
});

/**
 * Parses `source` (the process environment by default) once, at start-up. A missing or malformed
 * setting raises a ConfigError naming every offending variable.
 */
export function parseEnv<S extends z.ZodRawShape>(shape: S, source: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = z.object(shape).safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = result.data as z.infer<z.ZodObject<S>>;
  const auth = env as Partial<Record<'AUTH_JWKS_URL' | 'AUTH_JWKS_FILE' | 'AUTH_ISSUER', unknown>>;
  if ('AUTH_ISSUER' in shape && !auth.AUTH_JWKS_URL && !auth.AUTH_JWKS_FILE) {
    throw new ConfigError('Invalid configuration:\n  AUTH_JWKS_URL or AUTH_JWKS_FILE: one key source is required');
  }
  return env;
}

/** Runs a process's main function, turning a ConfigError into a clear message and exit status 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(error);
    process.exit(1);
  });
}
