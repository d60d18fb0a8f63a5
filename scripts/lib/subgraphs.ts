import { donationsSubgraph } from '../../subgraphs/donations/src/subgraph';
import { membersSubgraph } from '../../subgraphs/members/src/subgraph';
import { partnersSubgraph } from '../../subgraphs/partners/src/subgraph';
import { pointsSubgraph } from '../../subgraphs/points/src/subgraph';

/** The four subgraphs, in composition order, with the default port each listens on. */
export const SUBGRAPHS = [membersSubgraph, pointsSubgraph, partnersSubgraph, donationsSubgraph] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export const defaultSubgraphUrl = (port: number): string => `http://127.0.0.1:${port}/graphql`;
