import { AppError, forbidden, type SubgraphClient, type Viewer } from '../../../shared/src';

/**
 * Asks the partners subgraph, which owns partners, about the calling partner, as the caller (the token
 * is forwarded unchanged, so the partners subgraph's own rules apply). Members never reads its tables.
 */
export class PartnerDirectoryService {
  constructor(private readonly partners: SubgraphClient) {}

  /** Refuses a suspended partner (PARTNER_SUSPENDED) and a token whose partner is not onboarded (FORBIDDEN). */
  async requireActiveCallingPartner(viewer: Viewer, requestId: string): Promise<void> {
    const data = await this.partners.request<{ viewerPartner: { id: string; status: 'ACTIVE' | 'SUSPENDED' } | null }>(
      'query EnrollingPartner { viewerPartner { id status } }',
      {},
      viewer,
      requestId,
    );
    const partner = data.viewerPartner;
    if (!partner || partner.id !== viewer.partnerId) throw forbidden('The token names a partner that is not onboarded');
    if (partner.status !== 'ACTIVE') throw new AppError('PARTNER_SUSPENDED');
  }
}
