import { type Viewer } from '../../../../lib/src/auth';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';

/** The members subgraph as the ledger calls it: whether a member exists and is active, as the calling viewer. */
export class MembersClient {
  constructor(private readonly subgraph: SubgraphClient) {}

  async memberIsActive(viewer: Viewer, memberId: string, requestId: string): Promise<boolean> {
    const data = await this.subgraph.request<{ memberStatus: 'ACTIVE' | 'CLOSED' | null }>(
      'query MemberStatus($id: ID!) { memberStatus(id: $id) }',
      { id: memberId },
      viewer,
      requestId,
    );
    return data.memberStatus === 'ACTIVE';
  }
}
