import { PartnersClient } from '../../../../lib/src/clients/partners.client';
import { createSubgraphClient } from '../../../../lib/src/subgraph-client';

/**
 * The partners subgraph as members calls it: only whether the enrolling partner is active, by the
 * hub's one partner-is-active rule (FORBIDDEN, PARTNER_SUSPENDED).
 */
export type MembersPartnersClient = Pick<PartnersClient, 'requireActiveCallingPartner'>;

export function createPartnersClient(url: string): MembersPartnersClient {
  return new PartnersClient(createSubgraphClient(url));
}
