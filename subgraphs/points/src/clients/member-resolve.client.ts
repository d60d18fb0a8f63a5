import { serviceViewer, type ServiceSigner } from '../../../../lib/src/service-token';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';

const NAMED = 'query Named($memberId: ID, $cardNumber: String) { activeMemberNamed(memberId: $memberId, cardNumber: $cardNumber) }';

/**
 * The members subgraph as household invitations ask it, with the points service's own credential
 * (members:resolve): which active member a member id or a card number names. A member's own token may not
 * look other members up, and should not: the answer is only ever an id, kept inside the ledger.
 */
export class MemberResolveClient {
  constructor(
    private readonly subgraph: SubgraphClient,
    private readonly signer: ServiceSigner,
  ) {}

  async activeMemberNamed(named: { memberId?: string | null; cardNumber?: string | null }, requestId: string): Promise<string | null> {
    const viewer = await serviceViewer(this.signer, 'points', 'members:resolve');
    const data = await this.subgraph.request<{ activeMemberNamed: string | null }>(NAMED, { memberId: named.memberId ?? null, cardNumber: named.cardNumber ?? null }, viewer, requestId);
    return data.activeMemberNamed;
  }
}
