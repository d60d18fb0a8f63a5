import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { anyScope, isSelf } from '../../../../lib/src';
import { type MembersContext } from '../context';
import { CloseMembershipInput, CloseMembershipPayload, MergeMembersInput, MergeMembersPayload } from './closing.type';
import { MemberType, toMemberType } from './member.type';

@Resolver(() => MemberType)
export class ClosingResolver {
  @Directive(anyScope('member', 'admin'))
  @Mutation(() => CloseMembershipPayload, {
    description:
      'Closes a membership for good, forfeiting or donating the remaining points; refused while redemption holds are open (OPEN_HOLDS). A closed member still reads their history; every write for them answers MEMBER_CLOSED. The member (self) or admin.',
  })
  async closeMembership(@Arg('input', () => CloseMembershipInput) input: CloseMembershipInput, @Ctx() ctx: MembersContext): Promise<CloseMembershipPayload> {
    const member = await ctx.closings.close(ctx.viewer, input, ctx.requestId);
    return { member: toMemberType(member, ctx.viewer, ctx.members) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => MergeMembersPayload, {
    description:
      "Merges a duplicate member into another: the source's points move to the target with their lots and issuers (statements and liability unchanged), the target's tier counts the source's earns, the source is CLOSED with mergedInto and its cards find the target. Open holds on the source refuse it (OPEN_HOLDS). Admin.",
  })
  async mergeMembers(@Arg('input', () => MergeMembersInput) input: MergeMembersInput, @Ctx() ctx: MembersContext): Promise<MergeMembersPayload> {
    const { source, target } = await ctx.closings.merge(ctx.viewer, input, ctx.requestId);
    return { source: toMemberType(source, ctx.viewer, ctx.members), target: toMemberType(target, ctx.viewer, ctx.members) };
  }

  @FieldResolver(() => MemberType, { nullable: true, description: 'For a member closed by a merge: the member it was merged into (as visible to the caller).' })
  async mergedInto(@Root() member: MemberType, @Ctx() ctx: MembersContext): Promise<MemberType | null> {
    const entity = await ctx.loaders.member.load(member.id);
    // The source's own member sees where their membership went (the same person's other membership).
    if (!entity?.mergedInto || !(ctx.members.canSee(ctx.viewer, entity.mergedInto) || isSelf(ctx.viewer, member.id))) return null;
    const target = await ctx.loaders.member.load(entity.mergedInto);
    return target && toMemberType(target, ctx.viewer, ctx.members);
  }
}
