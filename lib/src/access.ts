import { type Scope } from './auth';

/**
 * Access declarations for root fields, printed into each subgraph's SDL and composed into the supergraph,
 * where the gateway enforces them before planning (`@authenticated`, `@requiresScopes`, Federation 2.5+).
 * They state the least a token needs; resolvers still check the full rule (identity claims, ownership),
 * so a subgraph called directly refuses exactly what the gateway refuses, and more.
 */
export const Authenticated = '@authenticated';

/** Any one of `scopes` is enough. The admin scope is listed explicitly where the admin may call the field. */
export function anyScope(...scopes: Scope[]): string {
  return `@requiresScopes(scopes: [${scopes.map((s) => `["${s}"]`).join(', ')}])`;
}
