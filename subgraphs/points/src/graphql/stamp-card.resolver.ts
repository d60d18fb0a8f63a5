import { Arg, Ctx, Directive, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { PointsMemberType } from './points.type';
import { CreateStampCardInput, CreateStampCardPayload, MemberStampCardType, StampCardType, toMemberStampCardType, toStampCardType } from './stamp-card.type';

@Resolver(() => PointsMemberType)
export class StampCardResolver {
  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => CreateStampCardPayload, { description: 'Defines a stamp card. Scope: points:earn (own partner) or admin (naming the partner).' })
  async createStampCard(@Arg('input', () => CreateStampCardInput) input: CreateStampCardInput, @Ctx() ctx: PointsContext): Promise<CreateStampCardPayload> {
    return { card: toStampCardType(await ctx.stampCards.create(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Query(() => [StampCardType], { name: 'stampCards', description: "Stamp cards: a partner's own; all for the admin. Newest first." })
  async listStampCards(@Ctx() ctx: PointsContext): Promise<StampCardType[]> {
    return (await ctx.stampCards.cards(ctx.viewer)).map(toStampCardType);
  }

  @FieldResolver(() => [MemberStampCardType], { name: 'stampCards', description: "Stamp cards in force and those the member has stamps on, with progress. The member and the admin only." })
  async memberStampCards(@Root() member: PointsMemberType, @Ctx() ctx: PointsContext): Promise<MemberStampCardType[]> {
    return (await ctx.stampCards.ofMember(ctx.viewer, member.id)).map(toMemberStampCardType);
  }
}
