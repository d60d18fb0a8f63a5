import { type Viewer } from '../../../../lib/src/auth';
import { PartnersClient } from '../../../../lib/src/clients/partners.client';
import { createSubgraphClient } from '../../../../lib/src/subgraph-client';

/** A store as its own partner sees it through the partners subgraph. */
export interface OwnStore {
  id: string;
  active: boolean;
  city: string | null;
}

/**
 * The partners subgraph as members calls it: whether the enrolling partner is active, by the hub's one
 * partner-is-active rule (FORBIDDEN, PARTNER_SUSPENDED), and the store a member enrolls at, read as the
 * calling partner (the partners subgraph shows a store to its own partner and the admin only: another
 * partner's store answers null, as a missing one).
 */
export interface MembersPartnersClient extends Pick<PartnersClient, 'requireActiveCallingPartner'> {
  ownStore(viewer: Viewer, storeId: string, requestId: string): Promise<OwnStore | null>;
}

class MembersPartners extends PartnersClient implements MembersPartnersClient {
  async ownStore(viewer: Viewer, storeId: string, requestId: string): Promise<OwnStore | null> {
    const data = await this.subgraph.request<{ store: OwnStore | null }>('query EnrolmentStore($id: ID!) { store(id: $id) { id active city } }', { id: storeId }, viewer, requestId);
    return data.store;
  }
}

export function createPartnersClient(url: string): MembersPartnersClient {
  return new MembersPartners(createSubgraphClient(url));
}
