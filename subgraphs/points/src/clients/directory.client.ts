import { type Viewer } from '../../../../lib/src/auth';
import { type MembersClient } from './members.client';
import { type PartnerFace, type PartnerFacts, type PartnersClient } from './partners.client';

/**
 * The facts the ledger needs from the subgraphs that own them, one client per subgraph (partners,
 * members), read as the calling viewer so the owners' own access rules apply. The points subgraph
 * never reads their tables.
 */
export class DirectoryClient {
  constructor(
    readonly partners: PartnersClient,
    readonly members: MembersClient,
  ) {}

  callingPartner(viewer: Viewer, requestId: string): Promise<PartnerFacts> {
    return this.partners.callingPartner(viewer, requestId);
  }

  partner(viewer: Viewer, partnerId: string, requestId: string): Promise<PartnerFace | null> {
    return this.partners.partner(viewer, partnerId, requestId);
  }

  /** The calling partner, refusing a suspended one (PARTNER_SUSPENDED) and a token for another (FORBIDDEN). */
  requireActiveCallingPartner(viewer: Viewer, requestId: string): Promise<PartnerFacts> {
    return this.partners.requireActiveCallingPartner(viewer, requestId);
  }

  memberIsActive(viewer: Viewer, memberId: string, requestId: string): Promise<boolean> {
    return this.members.memberIsActive(viewer, memberId, requestId);
  }

  activeMembers(viewer: Viewer, memberIds: readonly string[], requestId: string): Promise<Set<string>> {
    return this.members.activeMembers(viewer, memberIds, requestId);
  }
}
