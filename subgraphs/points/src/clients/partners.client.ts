import { PartnersClient as SharedPartnersClient, requireActiveCallingPartner } from '../../../../lib/src/clients/partners.client';
import { forbidden } from '../../../../lib/src/errors';
import { type Viewer } from '../../../../lib/src/auth';

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
 * The partners subgraph as the ledger calls it: the calling partner's status, currency and terms, and
 * a partner's public face, read as the calling viewer so the partners subgraph's own access rules
 * apply. Whether the partner is active is the hub's one rule (shared partners client).
 */
export class PartnersClient extends SharedPartnersClient {
  /** The calling partner's status, currency and current terms (earn rate, issue price, reimbursement). */
  async callingPartner(viewer: Viewer, requestId: string): Promise<PartnerFacts> {
    const data = await this.subgraph.request<{
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
    const data = await this.subgraph.request<{
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

  /**
   * The calling partner with its terms, refusing a suspended one (PARTNER_SUSPENDED) and a token for
   * another (FORBIDDEN): one call to the partners subgraph answers both the rule and the facts.
   */
  override async requireActiveCallingPartner(viewer: Viewer, requestId: string): Promise<PartnerFacts> {
    return requireActiveCallingPartner(viewer, await this.callingPartner(viewer, requestId));
  }
}
