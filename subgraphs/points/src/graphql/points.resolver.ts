import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden } from '../../../shared/src';
import { type PointsContext } from '../context';
import { EarnPointsInput } from './points.input';
import { EarnPointsPayload, PointsAccountType, PointsMemberType, PointsTransactionType, toAccountType, toTransactionType } from './points.type';

@Resolver(() => PointsMemberType)
export class PointsMemberResolver {
  @FieldResolver(() => PointsAccountType, { description: "The member's points. The member, the admin, and partners with members:lookup." })
  async points(@Root() member: PointsMemberType, @Ctx() ctx: PointsContext): Promise<PointsAccountType> {
    const view = ctx.points.accountView(ctx.viewer, member.id);
    return toAccountType(await ctx.loaders.account.load(member.id), view);
  }
}

@Resolver(() => PointsAccountType)
export class PointsAccountResolver {
  @FieldResolver(() => Int, { description: 'Posted points. The member and the admin only.' })
  balance(@Root() account: PointsAccountType): number {
    if (account.view !== 'full') throw forbidden('Partners see only available points');
    return account.postedBalance;
  }

  @FieldResolver(() => Int, { description: 'Held by open redemption holds. The member and the admin only.' })
  pending(@Root() account: PointsAccountType): number {
    if (account.view !== 'full') throw forbidden('Partners see only available points');
    return account.heldPoints;
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
