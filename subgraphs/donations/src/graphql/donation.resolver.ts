import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type DonationsContext } from '../context';
import { charityOf } from './charity.loader';
import { CharityType } from './charity.type';
import { DonatePointsInput, DonatePointsPayload, DonationType, DonorType, ReconcileDonationsInput, ReconcileDonationsPayload, toDonationType } from './donation.type';

@Resolver(() => DonationType)
export class DonationResolver {
  @FieldResolver(() => CharityType)
  async charity(@Root() donation: DonationType, @Ctx() ctx: DonationsContext): Promise<CharityType> {
    return charityOf(ctx, donation.charityId);
  }

  @Directive(anyScope('member'))
  @Mutation(() => DonatePointsPayload, {
    description:
      "Gives the calling member's points to an active, verified charity (CHARITY_INACTIVE otherwise). Scope: member; the donor is always the token's member. Idempotent per key.",
  })
  async donatePoints(@Arg('input', () => DonatePointsInput) input: DonatePointsInput, @Ctx() ctx: DonationsContext): Promise<DonatePointsPayload> {
    return { donation: toDonationType(await ctx.donations.donate(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => ReconcileDonationsPayload, { description: 'Drives pending donations to their final state now (the reconciler also runs on its own). Scope: admin.' })
  async reconcileDonations(@Arg('input', () => ReconcileDonationsInput) input: ReconcileDonationsInput, @Ctx() ctx: DonationsContext): Promise<ReconcileDonationsPayload> {
    return Object.assign(new ReconcileDonationsPayload(), await ctx.donations.reconcileNow(ctx.viewer, input.olderThanMs));
  }
}

@Resolver(() => DonorType)
export class DonorResolver {
  @FieldResolver(() => [DonationType], { description: "The member's own giving, newest first (at most 100). The member and the admin only." })
  async donations(@Root() member: DonorType, @Ctx() ctx: DonationsContext): Promise<DonationType[]> {
    return (await ctx.charities.donationsOf(ctx.viewer, member.id)).map(toDonationType);
  }
}
