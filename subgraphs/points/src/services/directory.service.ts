import { AppError, forbidden, type SubgraphClient, type Viewer } from '../../../shared/src';

export interface PartnerFacts {
  id: string;
  status: 'ACTIVE' | 'SUSPENDED';
  currency: string;
  earnRate: string;
  /** Price per point in the partner's currency (decimal strings), in force now: snapshotted on postings. */
  issuePrice: string;
  reimbursement: string;
}

/** A partner as any authenticated caller sees it; its prices only for the partner itself and the admin. */
export interface PartnerFace {
  id: string;
  currency: string;
  issuePrice: string | null;
  reimbursement: string | null;
}

/**
 * Reads the facts the ledger needs from the subgraphs that own them (partners, members), as the
 * calling viewer, so the owners' own access rules apply. The points subgraph never reads their tables.
 */
export class DirectoryService {
  constructor(
    private readonly partners: SubgraphClient,
    private readonly members: SubgraphClient,
  ) {}

  /** The calling partner's status, currency and current terms (earn rate, issue price, reimbursement). */
  async callingPartner(viewer: Viewer, requestId: string): Promise<PartnerFacts> {
    const data = await this.partners.request<{
      viewerPartner: {
        id: string;
        status: 'ACTIVE' | 'SUSPENDED';
        currency: string;
        terms: { earnRate: string; issuePrice: { amount: string }; reimbursement: { amount: string } } | null;
      } | null;
    }>(
      'query CallingPartner { viewerPartner { id status currency terms { earnRate issuePrice { amount } reimbursement { amount } } } }',
      {},
      viewer,
      requestId,
    );
    const partner = data.viewerPartner;
    if (!partner || !partner.terms) throw forbidden('The token names a partner that is not onboarded');
    return {
      id: partner.id,
      status: partner.status,
      currency: partner.currency,
      earnRate: partner.terms.earnRate,
      issuePrice: partner.terms.issuePrice.amount,
      reimbursement: partner.terms.reimbursement.amount,
    };
  }

  /** A partner by id as the viewer may see it (null when it does not exist). */
  async partner(viewer: Viewer, partnerId: string, requestId: string): Promise<PartnerFace | null> {
    const data = await this.partners.request<{
      partner: { id: string; currency: string; terms: { issuePrice: { amount: string }; reimbursement: { amount: string } } | null } | null;
    }>(
      'query PartnerFace($id: ID!) { partner(id: $id) { id currency terms { issuePrice { amount } reimbursement { amount } } } }',
      { id: partnerId },
      viewer,
      requestId,
    );
    const p = data.partner;
    return p ? { id: p.id, currency: p.currency, issuePrice: p.terms?.issuePrice.amount ?? null, reimbursement: p.terms?.reimbursement.amount ?? null } : null;
  }

  /** The calling partner, refusing a suspended one (PARTNER_SUSPENDED) and a token for another (FORBIDDEN). */
  async requireActiveCallingPartner(viewer: Viewer, requestId: string): Promise<PartnerFacts> {
    const partner = await this.callingPartner(viewer, requestId);
    if (partner.id !== viewer.partnerId) throw new AppError('FORBIDDEN');
    if (partner.status !== 'ACTIVE') throw new AppError('PARTNER_SUSPENDED');
    return partner;
  }

  /** Whether the member exists and is active, asked of the members subgraph. */
  async memberIsActive(viewer: Viewer, memberId: string, requestId: string): Promise<boolean> {
    const data = await this.members.request<{ memberStatus: 'ACTIVE' | 'CLOSED' | null }>(
      'query MemberStatus($id: ID!) { memberStatus(id: $id) }',
      { id: memberId },
      viewer,
      requestId,
    );
    return data.memberStatus === 'ACTIVE';
  }
}
