import { membersSubgraph } from '../../subgraphs/members/src/subgraph';

/** The four subgraphs, in composition order, with the default port each listens on. */
export const SUBGRAPHS = [membersSubgraph] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export const defaultSubgraphUrl = (port: number): string => `http://127.0.0.1:${port}/graphql`;
