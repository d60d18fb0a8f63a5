import { z } from 'zod';
import { limitsEnv, SUBGRAPH_LIMITS } from './limits';

/** Thrown when the environment cannot be parsed; bootstraps print it and exit with status 1. */
export class ConfigError extends Error {}

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Settings every process that verifies tokens needs. */
export const authEnv = {
  AUTH_ISSUER: z.string().min(1, 'AUTH_ISSUER is required'),
  AUTH_AUDIENCE: z.string().min(1, 'AUTH_AUDIENCE is required'),
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_JWKS_FILE: z.string().min(1).optional(),
  AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(30).default(30),
  /** How long fetched keys are trusted before the JWKS is fetched again. */
  AUTH_JWKS_CACHE_MAX_AGE_MS: z.coerce.number().int().min(0).default(600_000),
  /** The least time between two JWKS fetches caused by tokens naming an unknown `kid`. */
  AUTH_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  /** How long a verified token is remembered (the signature is not checked again); 0 turns it off. */
  AUTH_VERIFIED_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
};

export const serverEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
};

/** Settings every subgraph needs: its port, its database and its auth. */
export const subgraphEnv = (defaultPort: number) => ({
  ...serverEnv,
  ...authEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort),
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /** Named prepared statements (see `sql`); false behind a pooler that cannot keep them (PgBouncer's transaction mode before 1.21). */
  DB_PREPARED_STATEMENTS: bool.default(true),
  MIGRATE_ON_START: bool.default(true),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(262_144),
  ...limitsEnv(SUBGRAPH_LIMITS),
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
