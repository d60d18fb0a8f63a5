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

  /** The calling member's display name (the name a bank transfer is addressed to), as the member. */
  async ownDisplayName(viewer: Viewer, requestId: string): Promise<string | null> {
    const data = await this.subgraph.request<{ me: { displayName: string } | null }>('query OwnName { me { displayName } }', {}, viewer, requestId);
    return data.me?.displayName ?? null;
  }

  /** Which of `memberIds` exist and are active: one request per 50 ids (aliases), as the calling viewer. */
  async activeMembers(viewer: Viewer, memberIds: readonly string[], requestId: string): Promise<Set<string>> {
    const active = new Set<string>();
    const ids = [...new Set(memberIds)];
    for (let start = 0; start < ids.length; start += 50) {
      const chunk = ids.slice(start, start + 50);
      const variables = Object.fromEntries(chunk.map((id, i) => [`id${i}`, id]));
      const query = `query MemberStatuses(${chunk.map((_, i) => `$id${i}: ID!`).join(', ')}) { ${chunk.map((_, i) => `m${i}: memberStatus(id: $id${i})`).join(' ')} }`;
      const data = await this.subgraph.request<Record<string, 'ACTIVE' | 'CLOSED' | null>>(query, variables, viewer, requestId);
      chunk.forEach((id, i) => {
        if (data[`m${i}`] === 'ACTIVE') active.add(id);
      });
    }
    return active;
  }
}
