import { serviceViewer, type ServiceSigner } from '../../../../lib/src/service-token';
import { createSubgraphClient, type SubgraphClient } from '../../../../lib/src/subgraph-client';

const POST_DONATION = `mutation PostDonation($input: PostDonationInput!) {
  postDonation(input: $input) { donationId outcome transactionId }
}`;

export interface PostDonationAnswer {
  /** MEMBER_CLOSED: the member's membership is closed (only its closing's own donation is posted). */
  outcome: 'POSTED' | 'REFUSED' | 'MEMBER_CLOSED';
  transactionId: string | null;
}

/**
 * The points subgraph as donations calls it: the ledger's internal `postDonation`, under the hub's
 * service credential (ledger:donate), never the member's token. The ledger decides once per donation
 * id (POSTED or REFUSED) and answers the same decision to every retry.
 */
export class PointsClient {
  constructor(
    private readonly subgraph: SubgraphClient,
    private readonly signer: ServiceSigner,
  ) {}

  async postDonation(
    donation: { id: string; memberId: string; charityId: string; points: string | number | bigint },
    requestId: string,
  ): Promise<PostDonationAnswer> {
    const viewer = await serviceViewer(this.signer, 'donations', 'ledger:donate');
    const data = await this.subgraph.request<{ postDonation: PostDonationAnswer }>(
      POST_DONATION,
      { input: { donationId: donation.id, memberId: donation.memberId, charityId: donation.charityId, points: Number(donation.points) } },
      viewer,
      requestId,
    );
    return data.postDonation;
  }
}

export function createPointsClient(url: string, signer: ServiceSigner): PointsClient {
  return new PointsClient(createSubgraphClient(url), signer);
}
