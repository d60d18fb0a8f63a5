import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';
import { type ASTNode, type DirectiveNode, Kind, parse, print, visit } from 'graphql';

/** The repository root, from the sources (scripts/lib) and from dist/scripts/lib alike. */
export const REPO_ROOT = __dirname.includes(join('dist', 'scripts')) ? join(__dirname, '..', '..', '..') : join(__dirname, '..', '..');
/** Where the portal's generated client code and its trusted-documents manifest live (committed). */
export const PORTAL_GQL_DIR = join('portal', 'src', 'gql');
export const PORTAL_MANIFEST = join(PORTAL_GQL_DIR, 'persisted-documents.json');

const FEDERATION_ONLY = /^(join__|link__|requiresScopes__|policy__)/;
const KEPT_DIRECTIVES = new Set(['deprecated', 'specifiedBy', 'oneOf']);

/**
 * The API schema clients see, from the committed supergraph: what the gateway serves (no @inaccessible
 * field, argument, value or type; no federation machinery), so the portal's types are the public contract.
 */
export function publicSchemaSdl(supergraphPath = join(REPO_ROOT, 'schema', 'supergraph.graphql')): string {
  const document = parse(readFileSync(supergraphPath, 'utf8'), { noLocation: true });
  const inaccessible = (node: { directives?: readonly DirectiveNode[] }) => node.directives?.some((d) => d.name.value === 'inaccessible') ?? false;
  const drop = (node: ASTNode & { directives?: readonly DirectiveNode[]; name?: { value: string } }) =>
    inaccessible(node) || (node.name !== undefined && FEDERATION_ONLY.test(node.name.value)) ? null : undefined;
  const cleaned = visit(document, {
    SchemaDefinition: (node) => ({ ...node, directives: [] }),
    DirectiveDefinition: (node) => (KEPT_DIRECTIVES.has(node.name.value) ? undefined : null),
    ScalarTypeDefinition: drop,
    ObjectTypeDefinition: drop,
    InterfaceTypeDefinition: drop,
    UnionTypeDefinition: drop,
    EnumTypeDefinition: drop,
    InputObjectTypeDefinition: drop,
    FieldDefinition: drop,
    InputValueDefinition: drop,
    EnumValueDefinition: drop,
    Directive: (node) => (KEPT_DIRECTIVES.has(node.name.value) ? undefined : null),
  });
  const definitions = cleaned.definitions.filter((d) => d.kind !== Kind.SCHEMA_EXTENSION);
  return print({ ...cleaned, definitions });
}

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

/**
 * GraphQL Code Generator's client preset over the portal's sources: typed documents (portal/src/gql) and the
 * persisted-documents manifest (SHA-256 of each document, with __typename added as the cache needs), which
 * is the gateway's TRUSTED_DOCUMENTS_FILE and known to its persisted-query store.
 */
export async function generatePortalClient(root = REPO_ROOT): Promise<GeneratedFile[]> {
  const cwd = process.cwd();
  process.chdir(root); // the generator resolves document globs and outputs from the working directory
  try {
    const files = await generate(
      {
        schema: publicSchemaSdl(join(root, 'schema', 'supergraph.graphql')),
        documents: ['portal/src/**/*.{ts,tsx}', `!${PORTAL_GQL_DIR}/**`],
        ignoreNoDocuments: false,
        silent: true,
        generates: {
          [`${PORTAL_GQL_DIR}/`]: {
            preset: 'client',
            presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
            documentTransforms: [addTypenameSelectionDocumentTransform],
            config: { useTypeImports: true, enumsAsTypes: true, scalars: { JSONObject: 'Record<string, unknown>' } },
          },
        },
      },
      false,
    );
    return (files as { filename: string; content: string }[])
      .map((f) => ({ path: relative(root, join(root, f.filename)), content: f.content.endsWith('\n') ? f.content : `${f.content}\n` }))
      .sort((a, b) => a.path.localeCompare(b.path));
  } finally {
    process.chdir(cwd);
  }
}
