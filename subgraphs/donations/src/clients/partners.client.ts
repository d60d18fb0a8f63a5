import { PartnersClient } from '../../../../lib/src/clients/partners.client';
import { createSubgraphClient } from '../../../../lib/src/subgraph-client';

/**
 * The partners subgraph as donations calls it: only whether a pledging or matching partner exists
 * and is active, by the hub's one partner-is-active rule (NOT_FOUND, PARTNER_SUSPENDED).
 */
export type DonationsPartnersClient = Pick<PartnersClient, 'requireActivePartner'>;

export function createPartnersClient(url: string): DonationsPartnersClient {
  return new PartnersClient(createSubgraphClient(url));
}
