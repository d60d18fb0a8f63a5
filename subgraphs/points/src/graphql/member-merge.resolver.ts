import { Arg, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import { type PointsContext } from '../context';
import { MemberAccountMergeOutcome, MemberAccountMergeType, MergeMemberAccountsInput } from './member-merge.type';

@Resolver()
export class MemberMergeResolver {
  @Directive('@inaccessible')
  @Mutation(() => MemberAccountMergeType, {
    description: "Internal: moves a duplicate member's points and lots to another member and closes its account, once per merge id. Only the members service credential (scope ledger:members); not in the public supergraph.",
  })
  async mergeMemberAccounts(@Arg('input', () => MergeMemberAccountsInput) input: MergeMemberAccountsInput, @Ctx() ctx: PointsContext): Promise<MemberAccountMergeType> {
    const merge = await ctx.memberMerges.merge(ctx.viewer, input);
    return Object.assign(new MemberAccountMergeType(), { outcome: merge.outcome as MemberAccountMergeOutcome, movedPoints: merge.movedPoints.toString() });
  }
}
