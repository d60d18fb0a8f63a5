import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { CreateSegmentInput, SegmentPayload, SegmentType, toSegmentType } from './segment.type';

@Resolver(() => SegmentType)
export class SegmentResolver {
  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => SegmentPayload, {
    description:
      "Makes a segment. Scope: admin (the coalition's, or naming a partner), or a partner with points:earn for its own offers: its rule may use only its own spend, visits and last activity, with tiers, birthday months, cities of the enrolling store and consents.",
  })
  async createSegment(@Arg('input', () => CreateSegmentInput) input: CreateSegmentInput, @Ctx() ctx: PointsContext): Promise<SegmentPayload> {
    const row = await ctx.segments.create(ctx.viewer, input);
    return { segment: toSegmentType(row, ctx.segments.canReadRule(ctx.viewer, row)) };
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Query(() => SegmentType, { nullable: true, description: "A segment: the admin any; a partner its own and the coalition's; null for anyone else, as for a missing id." })
  async segment(@Arg('id', () => ID) id: string, @Ctx() ctx: PointsContext): Promise<SegmentType | null> {
    const row = await ctx.segments.byId(ctx.viewer, id);
    return row && toSegmentType(row, ctx.segments.canReadRule(ctx.viewer, row));
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Query(() => [SegmentType], { description: "Segments, oldest first (at most 200): all for the admin; a partner's own and the coalition's." })
  async segments(@Ctx() ctx: PointsContext): Promise<SegmentType[]> {
    return (await ctx.segments.list(ctx.viewer)).map((row) => toSegmentType(row, ctx.segments.canReadRule(ctx.viewer, row)));
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description:
      'Members in the segment now (closed memberships excluded), counted when asked. Null for a partner when fewer than SEGMENT_PARTNER_MIN_SIZE (a size of one would tell it that member\'s facts); the admin always reads the count.',
  })
  async size(@Root() segment: SegmentType, @Ctx() ctx: PointsContext): Promise<number | null> {
    return ctx.segments.size(ctx.viewer, segment.row);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Of them, those who consent to marketing: who see the personal offers that target the segment. Null as for size.' })
  async reachableSize(@Root() segment: SegmentType, @Ctx() ctx: PointsContext): Promise<number | null> {
    return ctx.segments.size(ctx.viewer, segment.row, true);
  }

  @FieldResolver(() => Boolean, { description: 'Whether this member is in the segment now (consent aside). The admin only (support).' })
  async includesMember(@Root() segment: SegmentType, @Arg('memberId', () => ID) memberId: string, @Ctx() ctx: PointsContext): Promise<boolean> {
    return ctx.segments.includes(ctx.viewer, segment.row, memberId);
  }
}
