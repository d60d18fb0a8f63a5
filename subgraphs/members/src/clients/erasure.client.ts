import { serviceViewer, type ServiceSigner } from '../../../../lib/src/service-token';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';
import { type ErasureStep } from '../persistence/member-data.repository';

/**
 * The other subgraphs as an erasure calls them: each one's internal `<subgraph>EraseMember` under the
 * members service credential (scope members:erase), idempotent by the erasure id, so the erasure service
 * and its reconciler may call as often as they like.
 */
export class MembersErasureClient {
  constructor(
    private readonly subgraphs: Record<ErasureStep, SubgraphClient>,
    private readonly signer: ServiceSigner,
  ) {}

  async erase(step: ErasureStep, input: { erasureId: string; memberId: string; subjects: string[] }, requestId: string): Promise<void> {
    const viewer = await serviceViewer(this.signer, 'members', 'members:erase');
    await this.subgraphs[step].request(
      `mutation EraseMember($input: EraseMemberDataInput!) { ${step}EraseMember(input: $input) { erasureId erasedNow } }`,
      { input },
      viewer,
      requestId,
    );
  }
}
