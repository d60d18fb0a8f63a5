import { type Viewer } from '../../../../lib/src/auth';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';

/** A segment as the points subgraph shows it to the caller: whose it is (null: the coalition's). */
export interface SegmentOwner {
  id: string;
  partnerId: string | null;
}

/**
 * The points subgraph as the catalogue calls it: whether a segment an offer targets exists for the caller,
 * and whose it is. Asked as the caller (the token forwarded unchanged), so points' own rule applies: a
 * partner sees its own segments and the coalition's, another partner's answers as missing.
 */
export class PartnersPointsClient {
  constructor(private readonly subgraph: SubgraphClient) {}

  async segment(viewer: Viewer, segmentId: string, requestId: string): Promise<SegmentOwner | null> {
    const data = await this.subgraph.request<{ segment: { id: string; partner: { id: string } | null } | null }>(
      'query OfferSegment($id: ID!) { segment(id: $id) { id partner { id } } }',
      { id: segmentId },
      viewer,
      requestId,
    );
    return data.segment ? { id: data.segment.id, partnerId: data.segment.partner?.id ?? null } : null;
  }
}
