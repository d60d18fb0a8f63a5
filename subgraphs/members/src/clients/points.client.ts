import { serviceViewer, type ServiceSigner } from '../../../../lib/src/service-token';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';

export interface AccountClosingAnswer {
  outcome: 'CLOSED' | 'OPEN_HOLDS';
  remainingPoints: string;
  forfeitedPoints: string;
}

export interface MemberRegistrationInput {
  memberId: string;
  version: number;
  enrolledAt: string;
  enrolledByPartnerId: string | null;
  referredBy: string | null;
  birthMonth: number | null;
  birthDay: number | null;
  marketingConsent: boolean;
  partnerDataSharing: boolean;
  enrolledCity: string | null;
}

export interface AccountMergeAnswer {
  outcome: 'MERGED' | 'OPEN_HOLDS';
  movedPoints: string;
}

/**
 * The points subgraph as the members subgraph's closing saga calls it: internal operations under the
 * members service credential (scope ledger:members), never a person's token, each idempotent by the
 * closing id, so the saga and its reconciler may call as often as they like.
 */
export class MembersPointsClient {
  constructor(
    private readonly subgraph: SubgraphClient,
    private readonly signer: ServiceSigner,
  ) {}

  async closeMemberAccount(input: { closingId: string; memberId: string; disposition: 'FORFEIT' | 'DONATE' }, requestId: string): Promise<AccountClosingAnswer> {
    const viewer = await serviceViewer(this.signer, 'members', 'ledger:members');
    const data = await this.subgraph.request<{ closeMemberAccount: AccountClosingAnswer }>(
      'mutation CloseMemberAccount($input: CloseMemberAccountInput!) { closeMemberAccount(input: $input) { outcome remainingPoints forfeitedPoints } }',
      { input },
      viewer,
      requestId,
    );
    return data.closeMemberAccount;
  }

  async mergeMemberAccounts(input: { mergeId: string; sourceMemberId: string; targetMemberId: string }, requestId: string): Promise<AccountMergeAnswer> {
    const viewer = await serviceViewer(this.signer, 'members', 'ledger:members');
    const data = await this.subgraph.request<{ mergeMemberAccounts: AccountMergeAnswer }>(
      'mutation MergeMemberAccounts($input: MergeMemberAccountsInput!) { mergeMemberAccounts(input: $input) { outcome movedPoints } }',
      { input },
      viewer,
      requestId,
    );
    return data.mergeMemberAccounts;
  }

  /** Tells the ledger these members' facts (welcome, referral and birthday bonuses); idempotent by member and version. */
  async registerMembers(members: readonly MemberRegistrationInput[], requestId: string): Promise<number> {
    const viewer = await serviceViewer(this.signer, 'members', 'ledger:members');
    const data = await this.subgraph.request<{ registerMembers: { registered: number } }>(
      'mutation RegisterMembers($input: RegisterMembersInput!) { registerMembers(input: $input) { registered } }',
      { input: { members } },
      viewer,
      requestId,
    );
    return data.registerMembers.registered;
  }
}
