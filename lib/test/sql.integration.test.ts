import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { QueryFailedError, type DataSource } from 'typeorm';
import { createDataSource, pgCode, PgCodes, sql } from '../src';

let dataSource: DataSource;
beforeAll(async () => {
  dataSource = createDataSource({ url: inject('databaseUrl'), schema: 'sql_helper_test', entities: [], migrations: [], poolSize: 1 });
  await dataSource.initialize();
  await dataSource.query('CREATE SCHEMA IF NOT EXISTS sql_helper_test');
  await dataSource.query('CREATE TABLE IF NOT EXISTS sql_helper_test.things (id int PRIMARY KEY, label text NOT NULL)');
});
afterAll(async () => {
  await dataSource?.query('DROP SCHEMA IF EXISTS sql_helper_test CASCADE');
  await dataSource?.destroy();
});

describe('sql()', () => {
  it('prepares each statement text once per connection and runs it again by name', async () => {
    const text = 'SELECT $1::int + 1 AS next';
    for (const n of [1, 2, 3]) expect((await sql<{ next: number }>(dataSource.manager, text, [n])).rows).toEqual([{ next: n + 1 }]);
    // One pooled connection: the statement is in its session once, whatever the number of calls.
    const prepared = await sql<{ n: string }>(dataSource.manager, 'SELECT count(*)::text AS n FROM pg_prepared_statements WHERE statement = $1', [text]);
    expect(prepared.rows[0].n).toBe('1');
  });

  it('counts rows written, runs inside the caller transaction, and rolls back with it', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        const written = await sql(manager, 'INSERT INTO things (id, label) VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
        expect(written.rowCount).toBe(2);
        expect((await sql<{ n: string }>(manager, 'SELECT count(*)::text AS n FROM things')).rows[0].n).toBe('2');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await sql<{ n: string }>(dataSource.manager, 'SELECT count(*)::text AS n FROM things')).rows[0].n).toBe('0');
  });

  it("raises TypeORM's QueryFailedError carrying PostgreSQL's code and constraint, and the connection stays usable", async () => {
    await sql(dataSource.manager, 'INSERT INTO things (id, label) VALUES ($1, $2)', [7, 'seven']);
    const failed = await sql(dataSource.manager, 'INSERT INTO things (id, label) VALUES ($1, $2)', [7, 'again']).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(QueryFailedError);
    expect(pgCode(failed)).toBe(PgCodes.uniqueViolation);
    expect((await sql<{ label: string }>(dataSource.manager, 'SELECT label FROM things WHERE id = $1', [7])).rows).toEqual([{ label: 'seven' }]);
  });
});
