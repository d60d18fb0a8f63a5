import { type QueryRunner } from 'typeorm';

/**
 * Replaces a `CHECK (column IN (...))` constraint with one that allows what it allowed plus `values`.
 * Several migrations add kinds to the same column (transactions.kind, accounts.kind); reading the list
 * in force instead of restating it keeps every migration's additions whatever order they land in.
 * Not a migration: a helper for them (not listed in index.ts).
 */
export async function allowValues(q: QueryRunner, table: string, constraint: string, column: string, values: readonly string[]): Promise<void> {
  const rows = (await q.query(
    `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c WHERE c.conname = $1 AND c.conrelid = to_regclass($2)`,
    [constraint, table],
  )) as { def: string }[];
  const current = rows[0] ? [...rows[0].def.matchAll(/'([^']+)'/g)].map((m) => m[1]) : [];
  const all = [...new Set([...current, ...values])];
  for (const v of all) if (!/^[A-Z_]+$/.test(v)) throw new Error(`unexpected value ${v} in ${constraint}`);
  await q.query(
    `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${constraint};
     ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (${column} IN (${all.map((v) => `'${v}'`).join(', ')}))`,
  );
}

/** Undoes allowValues for `values` (rows using them must be gone first). */
export async function disallowValues(q: QueryRunner, table: string, constraint: string, column: string, values: readonly string[]): Promise<void> {
  const rows = (await q.query(
    `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c WHERE c.conname = $1 AND c.conrelid = to_regclass($2)`,
    [constraint, table],
  )) as { def: string }[];
  const current = rows[0] ? [...rows[0].def.matchAll(/'([^']+)'/g)].map((m) => m[1]) : [];
  const kept = current.filter((v) => !values.includes(v));
  await q.query(
    `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${constraint};
     ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (${column} IN (${kept.map((v) => `'${v}'`).join(', ')}))`,
  );
}
