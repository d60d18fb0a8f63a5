import { serviceViewer, type ServiceSigner } from '../../../../lib/src/service-token';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';

const SHARING = 'query Sharing($ids: [ID!]!) { membersSharingWithPartners(memberIds: $ids) }';

/**
 * The members subgraph as the webhook fan-out asks it, with the points service's own credential
 * (members:consents): which members consent to partner data sharing, so their notices may go to partners.
 */
export class MemberConsentsClient {
  constructor(
    private readonly subgraph: SubgraphClient,
    private readonly signer: ServiceSigner,
  ) {}

  async sharingWithPartners(memberIds: readonly string[]): Promise<Set<string>> {
    if (memberIds.length === 0) return new Set();
    const viewer = await serviceViewer(this.signer, 'points', 'members:consents');
    const data = await this.subgraph.request<{ membersSharingWithPartners: string[] }>(SHARING, { ids: [...memberIds] }, viewer, 'webhook-fan-out');
    return new Set(data.membersSharingWithPartners);
  }
}
