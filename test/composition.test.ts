import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices as apolloCompose } from '@apollo/composition';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSchemas } from '../scripts/lib/compose';

const SCHEMA_DIR = join(__dirname, '..', 'schema');

describe('schemas', () => {
  it('committed subgraph SDL and supergraph match what the code generates (run `npm run schema:generate`)', async () => {
    const { subgraphs, supergraph } = await composeSchemas();
    for (const s of subgraphs) expect(readFileSync(join(SCHEMA_DIR, `${s.name}.graphql`), 'utf8'), s.name).toBe(`${s.sdl.trim()}\n`);
    expect(readFileSync(join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8')).toBe(`${supergraph.trim()}\n`);
  });

  it("compose under Apollo's own composition too", () => {
    const names = ['members', 'points', 'partners', 'donations'];
    const result = apolloCompose(
      names.map((name, i) => ({ name, url: `http://127.0.0.1:${4001 + i}/graphql`, typeDefs: parse(readFileSync(join(SCHEMA_DIR, `${name}.graphql`), 'utf8')) })),
    );
    expect(result.errors?.map((e) => e.message) ?? []).toEqual([]);
    const api = result.schema?.toAPISchema().toGraphQLJSSchema();
    expect(api?.getQueryType()?.getFields().me).toBeDefined();
    expect(api?.getQueryType()?.getFields().memberStatus).toBeUndefined(); // @inaccessible stays internal
    expect(api?.getMutationType()?.getFields().earnPoints).toBeDefined();
  });
});
