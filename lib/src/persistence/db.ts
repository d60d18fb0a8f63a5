import { DataSource, QueryFailedError, QueryRunnerAlreadyReleasedError, type EntityManager, type MixedList, type EntitySchema, type ObjectLiteral, type Repository } from 'typeorm';
import { type ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { uuid } from '../validation';
import { Client } from 'pg';

export interface DatabaseOptions {
  url: string;
  /** The PostgreSQL schema this subgraph owns; its tables live there and nowhere else. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  poolSize?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
  /** Whether `sql` prepares its statements by name (default true; see `sql`). */
  preparedStatements?: boolean;
  /**
   * A read-only data source on a streaming replica (DATABASE_REPLICA_URL), for reports and exports: every
   * transaction on it is read-only (`default_transaction_read_only`), so a write routed there by mistake
   * fails loudly even when the URL names a writable server; it runs no migrations and installs no extensions.
   */
  readOnly?: boolean;
}

/** Data sources whose `sql` statements go unnamed (DatabaseOptions.preparedStatements false). */
const unprepared = new WeakSet<DataSource>();

/**
 * One DataSource per subgraph, confined to its own schema by `search_path`. Statement, idle-in-transaction
 * and connection timeouts make a stuck database fail fast instead of hanging requests.
 */
export function createDataSource(options: DatabaseOptions): DataSource {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`Invalid schema name: ${options.schema}`);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.readOnly ? [] : options.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    installExtensions: !options.readOnly,
    logging: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? `hub-${options.schema}${options.readOnly ? '-replica' : ''}`,
    extra: {
      options: `-c search_path=${options.schema}${options.readOnly ? ' -c default_transaction_read_only=on' : ''}`,
      statement_timeout: options.statementTimeoutMs ?? 15_000,
      idle_in_transaction_session_timeout: 30_000,
      connectionTimeoutMillis: 5_000,
    },
  });
  if (options.preparedStatements === false) unprepared.add(dataSource);
  return dataSource;
}

/**
 * Gives every pooled connection an error listener. node-postgres emits `error` on a client whose
 * connection dies while it is checked out (a killed backend, a failover between two queries of one
 * transaction); with no listener that error would crash the process. The query in flight still fails
 * and its transaction rolls back; the pool then discards the dead client.
 */
export function guardPoolClients(dataSource: DataSource, onError: (error: unknown) => void): void {
  type PgClient = { on(event: 'error', listener: (error: unknown) => void): void };
  const pool = (dataSource.driver as unknown as { master?: { on(event: 'acquire', listener: (client: PgClient) => void): void } }).master;
  const guarded = new WeakSet<PgClient>();
  // 'acquire' fires before the pool removes its own idle listener, so count nothing: add ours once.
  pool?.on('acquire', (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', onError);
  });
}

/**
 * Creates the schema if needed and applies pending migrations, one transaction each. An advisory lock
 * serialises instances that start at the same time against the same database.
 */
export async function migrate(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`hub-migrate-${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`hub-migrate-${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

export interface Rows<T> {
  rows: T[];
  rowCount: number;
}

/** The pg client's query, as far as `sql` uses it. */
interface PgConnection {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Names under which statements are prepared, one per distinct SQL text. The hub's SQL is written as
 * constant text with `$n` parameters, so the set is small; past the cap (text built at run time would
 * otherwise grow every connection's set of prepared statements without end) statements go unnamed.
 */
const preparedNames = new Map<string, string>();
const MAX_PREPARED = 500;

function preparedName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `hub_${preparedNames.size + 1}`;
    preparedNames.set(text, name);
  }
  return name;
}

/**
 * Runs raw SQL on the manager's connection (inside its transaction, if any) and returns rows and count.
 * Each distinct text is a named prepared statement on each connection: PostgreSQL parses and plans it
 * once per connection instead of on every call (TypeORM sends every statement unnamed), unless the data
 * source was made with `preparedStatements: false` (DB_PREPARED_STATEMENTS=false). Errors come
 * out as TypeORM's own QueryFailedError, as through `runner.query`.
 */
export async function sql<T = Record<string, unknown>>(manager: EntityManager, text: string, params: unknown[] = []): Promise<Rows<T>> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    if (runner.isReleased) throw new QueryRunnerAlreadyReleasedError();
    const connection = (await runner.connect()) as PgConnection;
    try {
      const name = unprepared.has(manager.connection) ? undefined : preparedName(text);
      const result = await connection.query({ text, values: params, name });
      return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
    } catch (error) {
      throw new QueryFailedError(text, params, error as Error);
    }
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}

interface EntityShape {
  /** The entity's columns, quoted, for a SELECT or a RETURNING list. */
  list: string;
  table: string;
  columns: { name: string; property: string; column: ColumnMetadata }[];
}
const entityShapes = new WeakMap<object, EntityShape>();

function shapeOf(manager: EntityManager, entity: new () => ObjectLiteral): EntityShape {
  let shape = entityShapes.get(entity);
  if (!shape) {
    const metadata = manager.connection.getMetadata(entity);
    const columns = metadata.columns.map((column) => ({ name: column.databaseName, property: column.propertyName, column }));
    shape = { list: columns.map((c) => `"${c.name}"`).join(', '), table: metadata.tableName, columns };
    entityShapes.set(entity, shape);
  }
  return shape;
}

/** Rows carrying every column of `entity` (see `entityColumns`), hydrated with TypeORM's own value conversion. */
export function hydrateEntities<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, rows: Record<string, unknown>[]): T[] {
  const { columns } = shapeOf(manager, entity);
  const driver = manager.connection.driver;
  return rows.map((row) => {
    const value = new entity() as Record<string, unknown>;
    for (const c of columns) value[c.property] = driver.prepareHydratedValue(row[c.name], c.column);
    return value as T;
  });
}

/** Every column of `entity`, for `RETURNING …` on a hand-written insert whose rows go to `hydrateEntities`. */
export function entityColumns(manager: EntityManager, entity: new () => ObjectLiteral): string {
  return shapeOf(manager, entity).list;
}

/**
 * Entities of one table matching a hand-written `where` (with `$1`… parameters), hydrated as TypeORM
 * would (its driver's own value conversion), without building a query through the query builder: on
 * the hot reads (a card lookup, a member's account) the builder cost more CPU than the query itself.
 */
export async function selectEntities<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, where: string, params: unknown[]): Promise<T[]> {
  const { list, table } = shapeOf(manager, entity);
  const { rows } = await sql<Record<string, unknown>>(manager, `SELECT ${list} FROM "${table}" WHERE ${where}`, params);
  return hydrateEntities(manager, entity, rows);
}

/** PostgreSQL error codes the services translate. */
export const PgCodes = {
  uniqueViolation: '23505',
  checkViolation: '23514',
  foreignKeyViolation: '23503',
  lockNotAvailable: '55P03',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

export function pgCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The constraint a PostgreSQL error names, if any. */
export function pgConstraint(error: unknown): string | undefined {
  const e = error as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const name = e?.driverError?.constraint ?? e?.constraint;
  return typeof name === 'string' ? name : undefined;
}

/** Creates `database` on the server of `adminUrl` unless it exists (used by the embedded start and tests). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-zA-Z0-9_]+$/.test(database)) throw new Error(`Invalid database name: ${database}`);
  const client = new Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
}

/** Replaces the database name in a postgres:// URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The largest page any list returns, whatever `first` asks for. */
export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
  rows: T[];
  /** The id to pass as `after` for the next page; null on the last page. */
  endCursor: string | null;
}

/**
 * One page of a table, oldest first by (time, id), after the row whose id is `after` (its exact time is
 * read from the database). One row more than the page is fetched to know whether another page follows.
 */
export async function pageAfter<T extends ObjectLiteral & { id: string }>(
  repository: Repository<T>,
  options: {
    table: string;
    timeProperty: string;
    timeColumn: string;
    first: number;
    after?: string | null;
    maxPageSize?: number;
    /** An extra condition on the rows (alias `r`, column names), with its named parameters. */
    filter?: { where: string; params?: Record<string, unknown> };
  },
): Promise<Page<T>> {
  const limit = Math.min(Math.max(options.first, 1), options.maxPageSize ?? MAX_PAGE_SIZE);
  const query = repository
    .createQueryBuilder('r')
    .orderBy(`r.${options.timeProperty}`, 'ASC')
    .addOrderBy('r.id', 'ASC')
    .limit(limit + 1);
  if (options.filter) query.andWhere(`(${options.filter.where})`, options.filter.params ?? {});
  if (options.after) {
    query.andWhere(`(r.${options.timeColumn}, r.id) > (SELECT ${options.timeColumn}, id FROM ${options.table} WHERE id = :after)`, {
      after: uuid('after', options.after),
    });
  }
  const rows = await query.getMany();
  const page = rows.slice(0, limit);
  return { rows: page, endCursor: rows.length > limit ? page[page.length - 1].id : null };
}

/** Throws when the database cannot answer a trivial statement: what a subgraph's `/readyz` asks. */
export async function ping(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}
