import { serviceViewer, type ServiceSigner } from '../../../../lib/src/service-token';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';
import { type OfferFacts } from '../domain/offer.rules';
import { OFFER_FIELDS, offerFacts, type OfferJson } from './partners.client';

const OFFER = `query OfferForEarlyAccess($id: ID!) { offerForEarlyAccess(id: $id) { ${OFFER_FIELDS} } }`;

/**
 * The partners subgraph as a paid membership's early access asks it, with the points service's own
 * credential (offers:preview): an offer that has not ended, even before its window opens (a member's own
 * token sees published offers only). The ledger decides who may activate it early.
 */
export class OfferPreviewClient {
  constructor(
    private readonly subgraph: SubgraphClient,
    private readonly signer: ServiceSigner,
  ) {}

  async offer(offerId: string, requestId: string): Promise<OfferFacts | null> {
    const viewer = await serviceViewer(this.signer, 'points', 'offers:preview');
    const data = await this.subgraph.request<{ offerForEarlyAccess: OfferJson | null }>(OFFER, { id: offerId }, viewer, requestId);
    return data.offerForEarlyAccess ? offerFacts(data.offerForEarlyAccess) : null;
  }
}
