import { type ApolloArmor } from '@escape.tech/graphql-armor';
import { z } from 'zod';

export type ArmorConfig = NonNullable<ConstructorParameters<typeof ApolloArmor>[0]>;

/** Limits on one GraphQL document, applied before it executes (gateway and every subgraph). */
export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
}

/**
 * The same variables configure the gateway and each subgraph; the defaults differ. A subgraph receives
 * the gateway's query plans (`_entities` with inline fragments, `__typename` everywhere, and several
 * fetches merged into one document under aliases), so its defaults leave room above the gateway's.
 */
export const limitsEnv = (defaults: DocumentLimits) => ({
  MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(defaults.maxDepth),
  MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(defaults.maxAliases),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(defaults.maxDirectives),
  MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(defaults.maxTokens),
  MAX_COST: z.coerce.number().int().min(100).max(1_000_000).default(defaults.maxCost),
});

/**
 * graphql-armor's cost counts 2 per object and 1 per scalar, ×1.5 per level of depth, and multiplies a
 * selection by a literal `first`: the member portal's full history page (`me → points → history(first: 100)
 * → nodes → partner`) costs about 5,700, so 10,000 admits it while nested 100 × 100 pages are refused.
 */
export const GATEWAY_LIMITS: DocumentLimits = { maxDepth: 10, maxAliases: 15, maxDirectives: 20, maxTokens: 1_000, maxCost: 10_000 };
export const SUBGRAPH_LIMITS: DocumentLimits = { maxDepth: 12, maxAliases: 50, maxDirectives: 50, maxTokens: 5_000, maxCost: 20_000 };

export function limitsFromEnv(env: { MAX_DEPTH: number; MAX_ALIASES: number; MAX_DIRECTIVES: number; MAX_TOKENS: number; MAX_COST: number }): DocumentLimits {
  return { maxDepth: env.MAX_DEPTH, maxAliases: env.MAX_ALIASES, maxDirectives: env.MAX_DIRECTIVES, maxTokens: env.MAX_TOKENS, maxCost: env.MAX_COST };
}

/**
 * graphql-armor settings for `limits`. Limits are never echoed in errors (`exposeLimits: false`), so a
 * caller cannot tune a request to sit just below them; refusals are answered as BAD_USER_INPUT (`query`).
 * Field suggestions ("Did you mean …") are blocked in production.
 */
export function armorConfig(limits: DocumentLimits, production: boolean): ArmorConfig {
  return {
    maxDepth: { n: limits.maxDepth, exposeLimits: false, flattenFragments: true, errorMessage: 'Query too deep' },
    maxAliases: { n: limits.maxAliases, exposeLimits: false, errorMessage: 'Too many aliases' },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: false, errorMessage: 'Too many directives' },
    maxTokens: { n: limits.maxTokens, exposeLimits: false, errorMessage: 'Document contains too many tokens' },
    costLimit: { maxCost: limits.maxCost, exposeLimits: false, errorMessage: 'Query too costly' },
    blockFieldSuggestion: { enabled: production },
  };
}
