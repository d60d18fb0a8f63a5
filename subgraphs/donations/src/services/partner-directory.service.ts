import { AppError, notFound, type SubgraphClient, type Viewer } from '../../../shared/src';

/**
 * Asks the partners subgraph, as the caller, whether a partner exists and is active: a suspended
 * partner takes on no new pledge or matching campaign (PARTNER_SUSPENDED), an unknown one is NOT_FOUND.
 */
export class PartnerDirectoryService {
  constructor(private readonly partners: SubgraphClient) {}

  async requireActive(viewer: Viewer, partnerId: string, requestId: string): Promise<void> {
    const data = await this.partners.request<{ partner: { id: string; status: 'ACTIVE' | 'SUSPENDED' } | null }>(
      'query GivingPartner($id: ID!) { partner(id: $id) { id status } }',
      { id: partnerId },
      viewer,
      requestId,
    );
    if (!data.partner) throw notFound('Partner');
    if (data.partner.status !== 'ACTIVE') throw new AppError('PARTNER_SUSPENDED');
  }
}
