import { type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getDirectiveExtensions } from '@graphql-tools/utils';
import {
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isUnionType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { AppError, type Viewer } from '../../lib/src';

/** What a type or field of the supergraph asks of the caller: `@authenticated` and `@requiresScopes`. */
interface Requirement {
  authenticated: boolean;
  /** One entry per directive (the type's, the field's), each held when any one inner list is held entirely. */
  scopes: string[][][];
}

/** One field of a document that asks something of the caller. */
interface Check {
  node: FieldNode;
  /** The field carries `@skip` or `@include`: whether it is asked for depends on the variables. */
  conditional: boolean;
  requirement: Requirement;
}

function requirementOf(schema: GraphQLSchema, parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>): Requirement | null {
  const scopes: string[][][] = [];
  let authenticated = false;
  for (const directives of [getDirectiveExtensions(parent, schema), getDirectiveExtensions(field, schema)]) {
    if (directives.authenticated?.length) authenticated = true;
    const required = (directives.requiresScopes?.[0] as { scopes?: string[][] } | undefined)?.scopes;
    if (required?.length) scopes.push(required);
  }
  return authenticated || scopes.length ? { authenticated, scopes } : null;
}

/** Any one inner list of `required` held entirely: the semantics of `@requiresScopes`. */
const holds = (required: string[][], scopes: ReadonlySet<string>): boolean => required.some((all) => all.every((s) => scopes.has(s)));

/**
 * Enforces the supergraph's `@authenticated` and `@requiresScopes` before any subgraph is called (or
 * subscribed to): a field the caller's token does not allow fails the whole operation (FORBIDDEN, or UNAUTHENTICATED
 * without a viewer), as `@envelop/generic-auth`'s granular mode does with its default of rejecting.
 *
 * Why not that plugin: it walks the document with type information on every request and then rebuilds
 * the document (dropping empty selections) even when nothing was refused, so the query planner, whose
 * plan cache is keyed on the document object, planned every request afresh (measured: every card lookup
 * printed and planned its document). Here the walk runs once per document and schema; a request only
 * compares its scopes with the fields' requirements, and the document reaches the planner untouched.
 * Subgraphs still check every field again in their resolvers.
 */
export function useDirectiveAuth(viewerOf: (context: object) => Viewer | undefined): GatewayPlugin {
  // A field object belongs to one type of one schema: it is the key by itself.
  const requirements = new WeakMap<GraphQLField<unknown, unknown>, Requirement | null>();
  const checks = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Check[]>>();

  const fieldRequirement = (schema: GraphQLSchema, parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>): Requirement | null => {
    if (!requirements.has(field)) requirements.set(field, requirementOf(schema, parent, field));
    return requirements.get(field)!;
  };

  /** Every field of every definition (operations and fragments), as generic-auth's validation rule visits them. */
  const checksOf = (schema: GraphQLSchema, document: DocumentNode): Check[] => {
    let bySchema = checks.get(schema);
    if (!bySchema) checks.set(schema, (bySchema = new WeakMap()));
    const known = bySchema.get(document);
    if (known) return known;
    const found: Check[] = [];
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          if (!parent || isIntrospectionType(getNamedType(parent))) return;
          // A union's only selectable field is __typename; its members may still ask something of the caller.
          const parents = isUnionType(parent) ? parent.getTypes() : isObjectType(parent) || isInterfaceType(parent) ? [parent] : [];
          for (const type of parents) {
            const field = type.getFields()[node.name.value];
            if (!field) continue; // __typename and introspection fields
            const requirement = fieldRequirement(schema, type, field);
            if (requirement) found.push({ node, conditional: Boolean(node.directives?.length), requirement });
          }
        },
      }),
    );
    bySchema.set(document, found);
    return found;
  };

  const refusal = (viewer: Viewer | undefined, requirement: Requirement): AppError | undefined => {
    if (!viewer) return new AppError('UNAUTHENTICATED');
    for (const required of requirement.scopes) {
      if (!holds(required, viewer.scopes)) return new AppError('FORBIDDEN', `Requires scope: ${required.map((all) => all.join(' and ')).join(' or ')}`);
    }
    return undefined;
  };

  /** The refusals an operation earns (none: it may run), from the fields it asks for and the caller's scopes. */
  const refusals = (args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: unknown; contextValue: unknown }): AppError[] => {
    const found = checksOf(args.schema, args.document);
    if (found.length === 0) return [];
    const viewer = viewerOf(args.contextValue as object);
    let variables: Record<string, unknown> | undefined;
    const included = (node: FieldNode): boolean => {
      if (variables === undefined) {
        const definitions = getOperationAST(args.document, args.operationName)?.variableDefinitions ?? [];
        variables = (definitions.length ? getVariableValues(args.schema, definitions, (args.variableValues ?? {}) as Record<string, unknown>).coerced : undefined) ?? {};
      }
      try {
        if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
        return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
      } catch {
        return true; // variables that do not coerce: count the field as asked for (execution refuses them anyway)
      }
    };
    const errors: AppError[] = [];
    for (const check of found) {
      if (check.conditional && !included(check.node)) continue;
      const error = refusal(viewer, check.requirement);
      if (error) errors.push(error);
    }
    return errors;
  };

  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = refusals(args);
      if (errors.length) setResultAndStopExecution({ data: null, errors });
    },
    // A subscription is refused the same way, before the subgraph is subscribed to.
    onSubscribe({ args, setResultAndStopExecution }) {
      const errors = refusals(args);
      if (errors.length) setResultAndStopExecution({ data: null, errors });
    },
  };
}
