import { type Viewer } from '../auth';
import { AppError, forbidden, notFound } from '../errors';
import { type SubgraphClient } from '../subgraph-client';

export type PartnerStatus = 'ACTIVE' | 'SUSPENDED';

/** What the partner-is-active rule needs to know of a partner. */
export interface PartnerStanding {
  id: string;
  status: PartnerStatus;
}

/**
 * The rule for a partner taking on new work (earning, redeeming, reversing, enrolling, pledging,
 * matching): only an active partner may; a suspended one answers PARTNER_SUSPENDED.
 */
export function requireActiveStatus(partner: PartnerStanding): void {
  if (partner.status !== 'ACTIVE') throw new AppError('PARTNER_SUSPENDED');
}

/**
 * The rule for the calling partner, as the partners subgraph answered `viewerPartner`: a token whose
 * partner is not onboarded (or not the token's) is FORBIDDEN, a suspended one PARTNER_SUSPENDED.
 */
export function requireActiveCallingPartner<T extends PartnerStanding>(viewer: Viewer, partner: T | null): T {
  if (!partner || partner.id !== viewer.partnerId) throw forbidden('The token names a partner that is not onboarded');
  requireActiveStatus(partner);
  return partner;
}

/**
 * Asks the partners subgraph, which owns partners, whether a partner may take on new work. Every call
 * runs as the caller (the token is forwarded unchanged), so the partners subgraph's own access rules
 * apply; no other subgraph reads its tables. Each subgraph's own partners client builds on this one.
 * Raises: FORBIDDEN, NOT_FOUND, PARTNER_SUSPENDED.
 */
export class PartnersClient {
  constructor(protected readonly subgraph: SubgraphClient) {}

  /** Refuses a suspended calling partner (PARTNER_SUSPENDED) and a token whose partner is not onboarded (FORBIDDEN). */
  async requireActiveCallingPartner(viewer: Viewer, requestId: string): Promise<PartnerStanding> {
    const data = await this.subgraph.request<{ viewerPartner: PartnerStanding | null }>(
      'query CallingPartnerStatus { viewerPartner { id status } }',
      {},
      viewer,
      requestId,
    );
    return requireActiveCallingPartner(viewer, data.viewerPartner);
  }

  /** Refuses a partner by id that is suspended (PARTNER_SUSPENDED) or that the caller cannot find (NOT_FOUND). */
  async requireActivePartner(viewer: Viewer, partnerId: string, requestId: string): Promise<PartnerStanding> {
    const data = await this.subgraph.request<{ partner: PartnerStanding | null }>(
      'query PartnerStatus($id: ID!) { partner(id: $id) { id status } }',
      { id: partnerId },
      viewer,
      requestId,
    );
    if (!data.partner) throw notFound('Partner');
    requireActiveStatus(data.partner);
    return data.partner;
  }
}
