import { Arg, Ctx, Directive, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { anyScope, isAdmin, isSelf } from '../../../../lib/src';
import { type MembersContext } from '../context';
import { MemberCardType, ReplaceCardInput, ReplaceCardPayload, toCardType } from './card.type';
import { MemberType, toMemberType } from './member.type';

@Resolver(() => MemberType)
export class CardResolver {
  @Directive(anyScope('admin', 'members:lookup'))
  @Query(() => MemberType, {
    nullable: true,
    description: 'A member by card number (spaces and hyphens ignored). A replaced card answers CARD_BLOCKED; a merged member\'s card finds the member it was merged into. Scope: members:lookup or admin.',
  })
  async memberByCard(@Arg('cardNumber', () => String) cardNumber: string, @Ctx() ctx: MembersContext): Promise<MemberType | null> {
    const member = await ctx.cards.memberByCard(ctx.viewer, cardNumber);
    return member && toMemberType(member, ctx.viewer, ctx.members);
  }

  @Directive(anyScope('member', 'members:enroll', 'admin'))
  @Mutation(() => ReplaceCardPayload, {
    description: 'Blocks the member\'s card and issues a new number; points and history stay. The member (self), a partner with members:enroll, or admin.',
  })
  async replaceCard(@Arg('input', () => ReplaceCardInput) input: ReplaceCardInput, @Ctx() ctx: MembersContext): Promise<ReplaceCardPayload> {
    const member = await ctx.cards.replace(ctx.viewer, input, ctx.requestId);
    return { member: toMemberType(member, ctx.viewer, ctx.members) };
  }

  @FieldResolver(() => [MemberCardType], { nullable: true, description: 'Every card number the member held, oldest first. The member and the admin; null for others.' })
  async cards(@Root() member: MemberType, @Ctx() ctx: MembersContext): Promise<MemberCardType[] | null> {
    if (!isAdmin(ctx.viewer) && !isSelf(ctx.viewer, member.id)) return null;
    return (await ctx.loaders.cards.load(member.id)).map(toCardType);
  }
}
