import { Arg, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Authenticated, anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { toTransactionType } from './points.type';
import {
  AuthorizeRedemptionInput,
  CaptureRedemptionInput,
  CaptureRedemptionPayload,
  CreateRedemptionCodeInput,
  CreateRedemptionCodePayload,
  RedeemPointsInput,
  RedeemPointsPayload,
  RedemptionHoldPayload,
  RedemptionHoldType,
  toHoldType,
  VoidRedemptionInput,
} from './redemption.type';

@Resolver(() => RedemptionHoldType)
export class RedemptionResolver {
  @Directive(Authenticated)
  @Query(() => RedemptionHoldType, { nullable: true, description: "A hold: the partner's own, or any for the admin; null otherwise." })
  async redemptionHold(@Arg('id', () => ID) id: string, @Ctx() ctx: PointsContext): Promise<RedemptionHoldType | null> {
    const hold = await ctx.redemptions.hold(ctx.viewer, id);
    return hold && toHoldType(hold);
  }

  @Directive(anyScope('member'))
  @Mutation(() => CreateRedemptionCodePayload, { description: 'A single-use code the member shows at the till (10 minutes). Scope: member.' })
  async createRedemptionCode(
    @Arg('input', () => CreateRedemptionCodeInput) input: CreateRedemptionCodeInput,
    @Ctx() ctx: PointsContext,
  ): Promise<CreateRedemptionCodePayload> {
    const created = await ctx.redemptions.createCode(ctx.viewer, input);
    return { code: created.code, expiresAt: created.expiresAt.toISOString() };
  }

  @Directive(anyScope('points:redeem'))
  @Mutation(() => RedeemPointsPayload, { description: "Spends a member's points at once, with the member's code. Scope: points:redeem." })
  async redeemPoints(@Arg('input', () => RedeemPointsInput) input: RedeemPointsInput, @Ctx() ctx: PointsContext): Promise<RedeemPointsPayload> {
    return { transaction: toTransactionType(await ctx.redemptions.redeem(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('points:redeem'))
  @Mutation(() => RedemptionHoldPayload, { description: 'Holds points for a till (15 minutes): lowers available now. Scope: points:redeem.' })
  async authorizeRedemption(@Arg('input', () => AuthorizeRedemptionInput) input: AuthorizeRedemptionInput, @Ctx() ctx: PointsContext): Promise<RedemptionHoldPayload> {
    return { hold: toHoldType(await ctx.redemptions.authorize(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('points:redeem'))
  @Mutation(() => CaptureRedemptionPayload, { description: 'Spends all or part of a hold and releases the rest. Scope: points:redeem.' })
  async captureRedemption(@Arg('input', () => CaptureRedemptionInput) input: CaptureRedemptionInput, @Ctx() ctx: PointsContext): Promise<CaptureRedemptionPayload> {
    const { hold, transaction } = await ctx.redemptions.capture(ctx.viewer, input, ctx.requestId);
    return { hold: toHoldType(hold), transaction: toTransactionType(transaction) };
  }

  @Directive(anyScope('points:redeem'))
  @Mutation(() => RedemptionHoldPayload, { description: 'Releases a hold. Scope: points:redeem.' })
  async voidRedemption(@Arg('input', () => VoidRedemptionInput) input: VoidRedemptionInput, @Ctx() ctx: PointsContext): Promise<RedemptionHoldPayload> {
    return { hold: toHoldType(await ctx.redemptions.void(ctx.viewer, input)) };
  }
}
