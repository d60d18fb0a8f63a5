import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type PointsContext } from '../context';
import { EarnPointsInput } from './points.input';
import { EarnPointsPayload, PointsAccountType, PointsMemberType, PointsTransactionType, toAccountType, toTransactionType } from './points.type';

@Resolver(() => PointsMemberType)
export class PointsMemberResolver {
  @FieldResolver(() => PointsAccountType, { description: "The member's points. The member, the admin, and partners with members:lookup." })
  async points(@Root() member: PointsMemberType, @Ctx() ctx: PointsContext): Promise<PointsAccountType> {
    return toAccountType(await ctx.loaders.account.load(member.id));
  }
}

@Resolver(() => PointsTransactionType)
export class PointsTransactionResolver {
  @Query(() => PointsTransactionType, {
    nullable: true,
    description: "A transaction by id: the partner's own, the member's own, or any for the admin; null otherwise.",
  })
  async pointsTransaction(@Arg('id', () => ID) id: string, @Ctx() ctx: PointsContext): Promise<PointsTransactionType | null> {
    const row = await ctx.points.transaction(ctx.viewer, id);
    return row && toTransactionType(row);
  }

  @Mutation(() => EarnPointsPayload, { description: "Awards points for a purchase at the partner's earn rate. Scope: points:earn." })
  async earnPoints(@Arg('input', () => EarnPointsInput) input: EarnPointsInput, @Ctx() ctx: PointsContext): Promise<EarnPointsPayload> {
    return { transaction: toTransactionType(await ctx.points.earn(ctx.viewer, input, ctx.requestId)) };
  }
}
