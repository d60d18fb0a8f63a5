import { AppError, notFound } from '../../../../lib/src/errors';
import { type Viewer } from '../../../../lib/src/auth';
import { serviceViewer, type ServiceSigner } from '../../../../lib/src/service-token';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';

/**
 * The donations subgraph as the closing saga calls it: whether a charity takes gifts (asked as the caller,
 * before anything is written), and the closing's donation (an internal operation under the members
 * service credential, scope donations:closing, once per closing id).
 */
export class MembersDonationsClient {
  constructor(
    private readonly subgraph: SubgraphClient,
    private readonly signer: ServiceSigner,
  ) {}

  /** NOT_FOUND for an unknown charity, CHARITY_INACTIVE for one that does not take gifts now. */
  async requireCharityTakesGifts(viewer: Viewer, charityId: string, requestId: string): Promise<void> {
    const data = await this.subgraph.request<{ charity: { receivesGifts: boolean } | null }>(
      'query ClosingCharity($id: ID!) { charity(id: $id) { receivesGifts } }',
      { id: charityId },
      viewer,
      requestId,
    );
    if (!data.charity) throw notFound('Charity');
    if (!data.charity.receivesGifts) throw new AppError('CHARITY_INACTIVE');
  }

  async donateClosingBalance(input: { closingId: string; memberId: string; charityId: string; points: number }, requestId: string): Promise<{ id: string; status: string }> {
    const viewer = await serviceViewer(this.signer, 'members', 'donations:closing');
    const data = await this.subgraph.request<{ donateClosingBalance: { id: string; status: string } }>(
      'mutation DonateClosingBalance($input: DonateClosingBalanceInput!) { donateClosingBalance(input: $input) { id status } }',
      { input },
      viewer,
      requestId,
    );
    return data.donateClosingBalance;
  }
}
