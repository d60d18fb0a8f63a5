import { printSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { SUBGRAPHS, defaultSubgraphUrl } from './subgraphs';

export interface ComposedSchemas {
  subgraphs: { name: string; url: string; sdl: string }[];
  supergraph: string;
}

/** Generates each subgraph's SDL from code and composes the supergraph with the MIT Guild composer. */
export async function composeSchemas(): Promise<ComposedSchemas> {
  const subgraphs = [];
  for (const definition of SUBGRAPHS) {
    const schema = await definition.buildSchema();
    subgraphs.push({ name: definition.name, url: defaultSubgraphUrl(definition.defaultPort), sdl: printSubgraphSchema(schema) });
  }
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors?.length || !result.supergraphSdl) {
    throw new Error(`Composition failed:\n${(result.errors ?? []).map((e) => `  ${e.message}`).join('\n')}`);
  }
  return { subgraphs, supergraph: result.supergraphSdl };
}
