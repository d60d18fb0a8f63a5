import { Arg, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { ConfigurePartnerFundingInput, PartnerFundingPayload, PartnerFundingType, toFundingType, TopUpPrepaidBlockInput } from './funding.type';

/** How partners pay for the points they issue (FundingService). Thin: each field is one service call. */
@Resolver()
export class FundingResolver {
  @Directive(anyScope('admin', 'reports:read', 'points:earn'))
  @Query(() => PartnerFundingType, { description: "A partner's funding mode and prepaid block. The admin any partner; a partner token only its own (NOT_FOUND otherwise)." })
  async partnerFunding(@Arg('partnerId', () => ID) partnerId: string, @Ctx() ctx: PointsContext): Promise<PartnerFundingType> {
    return toFundingType(await ctx.funding.funding(ctx.viewer, partnerId));
  }

  @Directive(anyScope('admin'))
  @Mutation(() => PartnerFundingPayload, { description: 'Sets a partner\'s funding mode (and low-balance threshold). Scope: admin.' })
  async configurePartnerFunding(@Arg('input', () => ConfigurePartnerFundingInput) input: ConfigurePartnerFundingInput, @Ctx() ctx: PointsContext): Promise<PartnerFundingPayload> {
    return { funding: toFundingType(await ctx.funding.configure(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => PartnerFundingPayload, { description: "Adds points to a partner's prepaid block, recording the issue price in force. Scope: admin." })
  async topUpPrepaidBlock(@Arg('input', () => TopUpPrepaidBlockInput) input: TopUpPrepaidBlockInput, @Ctx() ctx: PointsContext): Promise<PartnerFundingPayload> {
    return { funding: toFundingType(await ctx.funding.topUp(ctx.viewer, input, ctx.requestId)) };
  }
}
