import { type MemberLinkLookup } from '../member-link';
import { type SubgraphClient } from '../subgraph-client';

/**
 * The members subgraph as points, donations and partners ask it which member a token's identity (issuer, subject) is linked to,
 * with the caller's own token: the members subgraph answers for that identity only, and refuses (UNAUTHENTICATED)
 * a token whose member_id claim contradicts the link. Cached per identity by the caller (MemberLinkCache).
 */
export function createMemberLinkLookup(members: SubgraphClient): MemberLinkLookup {
  return async (viewer, requestId) => {
    const data = await members.request<{ linkedMember: string | null }>('query LinkedMember { linkedMember }', {}, viewer, requestId);
    return data.linkedMember;
  };
}
