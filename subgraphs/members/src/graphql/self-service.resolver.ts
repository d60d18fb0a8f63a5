import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { anyScope, forbidden } from '../../../../lib/src';
import { type MembersContext } from '../context';
import { SetConsentsInput } from './consent.input';
import { ConsentsType, SetConsentsPayload, SignUpPayload, toConsentsType, UpdateProfilePayload } from './consent.type';
import { MemberType, toMemberType } from './member.type';
import { SignUpInput, UpdateProfileInput } from './self-service.input';

/** Sign-up, consents and profile: the member's own membership. */
@Resolver(() => MemberType)
export class SelfServiceResolver {
  @Directive(anyScope('member:signup'))
  @Mutation(() => SignUpPayload, {
    description:
      'A signed-in person joins: a new member linked to the token\'s issuer and subject, whose later `member` tokens act as the member without a member_id claim. Scope: member:signup. ALREADY_MEMBER when the identity is already a member.',
  })
  async signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: MembersContext): Promise<SignUpPayload> {
    const member = await ctx.selfService.signUp(ctx.viewer, input);
    // The new member's own data, shown to them as it was just given (the sign-up token is not yet a member's).
    const asMember = { ...ctx.viewer, memberId: member.id, scopes: new Set([...ctx.viewer.scopes, 'member']) };
    return { member: toMemberType(member, asMember, ctx.members) };
  }

  @Directive(anyScope('member'))
  @Mutation(() => SetConsentsPayload, { description: "Changes the calling member's consents; each change is appended to their history. Scope: member." })
  async setConsents(@Arg('input', () => SetConsentsInput) input: SetConsentsInput, @Ctx() ctx: MembersContext): Promise<SetConsentsPayload> {
    const member = await ctx.selfService.setConsents(ctx.viewer, input);
    return { member: toMemberType(member, ctx.viewer, ctx.members) };
  }

  @Directive(anyScope('admin', 'member'))
  @Mutation(() => UpdateProfilePayload, { description: "Changes a member's profile: the member's own, or the admin's naming memberId. Scope: member or admin." })
  async updateProfile(@Arg('input', () => UpdateProfileInput) input: UpdateProfileInput, @Ctx() ctx: MembersContext): Promise<UpdateProfilePayload> {
    const { memberId, ...fields } = input;
    const member = await ctx.selfService.updateProfile(ctx.viewer, memberId, fields);
    return { member: toMemberType(member, ctx.viewer, ctx.members) };
  }

  @FieldResolver(() => ConsentsType, { description: 'Current consents and their history. The member and the admin only (FORBIDDEN to others).' })
  async consents(@Root() member: MemberType, @Ctx() ctx: MembersContext): Promise<ConsentsType> {
    const entity = await ctx.loaders.member.load(member.id);
    const consents = entity && (await ctx.selfService.consentsOf(ctx.viewer, entity));
    if (!consents) throw forbidden("Only the member and the admin see a member's consents");
    return toConsentsType(consents.current, consents.history);
  }

  @Directive('@inaccessible')
  @Query(() => ID, { nullable: true, description: "Internal: the member the caller's token identity (issuer, subject) is linked to, for other subgraphs; null when none." })
  async linkedMember(@Ctx() ctx: MembersContext): Promise<string | null> {
    return ctx.selfService.linkedMember(ctx.viewer);
  }
}
