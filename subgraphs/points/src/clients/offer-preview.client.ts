import { serviceViewer, type ServiceSigner } from '../../../../lib/src/service-token';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';
import { type OfferFacts } from '../domain/offer.rules';

const OFFER = 'query OfferForEarlyAccess($id: ID!) { offerForEarlyAccess(id: $id) { id kind points multiplier validFrom validTo minTier active usesPerMember title description segmentId partner { id } } }';

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
    const data = await this.subgraph.request<{
      offerForEarlyAccess: {
        id: string;
        kind: OfferFacts['kind'];
        points: number | null;
        multiplier: string | null;
        validFrom: string;
        validTo: string | null;
        minTier: string | null;
        active: boolean;
        usesPerMember: number;
        title: string;
        description: string | null;
        segmentId: string | null;
        partner: { id: string };
      } | null;
    }>(OFFER, { id: offerId }, viewer, requestId);
    const o = data.offerForEarlyAccess;
    return o ? { ...o, partnerId: o.partner.id, validFrom: new Date(o.validFrom), validTo: o.validTo ? new Date(o.validTo) : null } : null;
  }
}
