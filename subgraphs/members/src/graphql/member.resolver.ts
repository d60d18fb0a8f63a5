import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type MembersContext } from '../context';
import { EnrollMemberInput } from './member.input';
import { EnrollMemberPayload, MemberPageType, MemberStatus, MemberType, toMemberType } from './member.type';

@Resolver(() => MemberType)
export class MemberResolver {
  @Directive(anyScope('member'))
  @Query(() => MemberType, { nullable: true, description: 'The calling member. Scope: member.' })
  async me(@Ctx() ctx: MembersContext): Promise<MemberType | null> {
    const member = await ctx.members.me(ctx.viewer);
    return member && toMemberType(member, ctx.viewer, ctx.members);
  }

  @Directive(anyScope('admin', 'members:lookup'))
  @Query(() => MemberType, { nullable: true, description: 'A member by id. Scope: members:lookup or admin.' })
  async member(@Arg('id', () => ID) id: string, @Ctx() ctx: MembersContext): Promise<MemberType | null> {
    const member = await ctx.members.byId(ctx.viewer, id);
    return member && toMemberType(member, ctx.viewer, ctx.members);
  }

  @Directive(anyScope('admin'))
  @Query(() => MemberPageType, { description: 'All members, oldest first. Scope: admin.' })
  async members(
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MembersContext,
  ): Promise<MemberPageType> {
    const page = await ctx.members.list(ctx.viewer, first, after);
    return { nodes: page.rows.map((m) => toMemberType(m, ctx.viewer, ctx.members)), endCursor: page.endCursor };
  }

  @Directive('@inaccessible')
  @Query(() => MemberStatus, { nullable: true, description: 'Internal: whether a member exists, for other subgraphs.' })
  async memberStatus(@Arg('id', () => ID) id: string, @Ctx() ctx: MembersContext): Promise<MemberStatus | null> {
    return (await ctx.members.status(ctx.viewer, id)) as MemberStatus | null;
  }

  @Directive(anyScope('admin', 'members:enroll'))
  @Mutation(() => EnrollMemberPayload, { description: 'Enrolls a new member. Scope: members:enroll or admin. A suspended partner gets PARTNER_SUSPENDED.' })
  async enrollMember(@Arg('input', () => EnrollMemberInput) input: EnrollMemberInput, @Ctx() ctx: MembersContext): Promise<EnrollMemberPayload> {
    const member = await ctx.members.enroll(ctx.viewer, input, ctx.requestId);
    return { member: toMemberType(member, ctx.viewer, ctx.members) };
  }
}
