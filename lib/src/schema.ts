import { buildSubgraphSchema } from '@apollo/subgraph';
import { type GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { type GraphQLFieldResolver, type GraphQLSchema, GraphQLUnionType, lexicographicSortSchema } from 'graphql';
import gql from 'graphql-tag';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';
import { auditMutationResolvers } from './audit';
import { badInput } from './errors';

/** The Federation 2 features the subgraphs may use. */
const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@inaccessible", "@authenticated", "@requiresScopes"])`;

/**
 * type-graphql asks for a PubSub as soon as a schema has any `@Subscription`, even when every one brings its
 * own event source (`subscribe`), as the hub's do (fed by the outbox's notices, not by topics). Topics are
 * therefore refused outright, at the first subscription that would use one.
 */
const NO_TOPICS: NonNullable<BuildSchemaOptions['pubSub']> = {
  publish() {
    throw new Error('Subscriptions here bring their own source (`subscribe`); topics are not published');
  },
  subscribe() {
    throw new Error('Subscriptions here bring their own source (`subscribe`); there are no topics');
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ReferenceResolvers = Record<string, { __resolveReference: (reference: any, context: any) => unknown }>;

/**
 * Builds a Federation 2 subgraph schema from type-graphql classes: type-graphql produces the schema and
 * its resolvers, `@apollo/subgraph` adds `_service`, `_entities` and the reference resolvers.
 */
export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck' | 'validate'>,
  referenceResolvers: ReferenceResolvers = {},
): Promise<GraphQLSchema> {
  const schema = await buildSchema({ pubSub: NO_TOPICS, ...options, skipCheck: true, validate: false });
  const typeDefs = gql(`${FEDERATION_LINK}\n${printSchemaWithDirectives(lexicographicSortSchema(schema))}`);
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  // Every mutation leaves an audit row: wrapped here, once, rather than in each resolver.
  if (resolvers.Mutation) auditMutationResolvers(resolvers.Mutation as Record<string, unknown>);
  for (const [typeName, resolver] of Object.entries(referenceResolvers)) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...resolver } as GraphQLResolverMap<unknown>[string];
  }
  return guardEntities(buildSubgraphSchema([{ typeDefs, resolvers }]));
}

/**
 * `_entities` answers BAD_USER_INPUT (field `representations`) for a representation that is not an object
 * naming one of this subgraph's entity types: @apollo/subgraph would throw a plain error for it, masked as
 * INTERNAL and logged with a stack, for what is the caller's mistake.
 */
function guardEntities(schema: GraphQLSchema): GraphQLSchema {
  const entityUnion = schema.getType('_Entity');
  const field = schema.getQueryType()?.getFields()._entities;
  if (!(entityUnion instanceof GraphQLUnionType) || !field?.resolve) return schema;
  const entityTypes = new Set(entityUnion.getTypes().map((t) => t.name));
  const resolve = field.resolve as GraphQLFieldResolver<unknown, unknown, { representations?: unknown }>;
  field.resolve = (source, args, context, info) => {
    const representations = Array.isArray(args.representations) ? (args.representations as unknown[]) : [];
    representations.forEach((representation, index) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof typename !== 'string' || !entityTypes.has(typename)) {
        throw badInput(`representations.${index}.__typename`, 'not an entity type of this subgraph');
      }
    });
    return resolve(source, args, context, info);
  };
  return schema;
}
