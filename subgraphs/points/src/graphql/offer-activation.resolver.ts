import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { ActivateOfferInput, ActivateOfferPayload, OfferActivationType, toActivationType } from './offer-activation.type';
import { PointsMemberType } from './points.type';

@Resolver(() => PointsMemberType)
export class OfferActivationResolver {
  @Directive(anyScope('member'))
  @Mutation(() => ActivateOfferPayload, {
    description: "Activates a partner's MULTIPLIER or BONUS_POINTS offer for the signed-in member: its next qualifying earns at that partner inside the window apply it (OFFER_NOT_AVAILABLE otherwise). Scope: member.",
  })
  async activateOffer(@Arg('input', () => ActivateOfferInput) input: ActivateOfferInput, @Ctx() ctx: PointsContext): Promise<ActivateOfferPayload> {
    return { activation: toActivationType(await ctx.offerActivations.activate(ctx.viewer, input, ctx.requestId)) };
  }

  @FieldResolver(() => [OfferActivationType], { description: "The member's activated offers, newest first. The member and the admin only." })
  async offerActivations(@Root() member: PointsMemberType, @Ctx() ctx: PointsContext): Promise<OfferActivationType[]> {
    return (await ctx.offerActivations.activations(ctx.viewer, member.id)).map(toActivationType);
  }
}
