import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { ActivateOfferInput, ActivateOfferPayload, OfferActivationType, toActivationType } from './offer-activation.type';
import { PartnerRefType, PointsMemberType } from './points.type';
import { MemberOfferType } from './segment.type';
import { formatMultiplier, parseMultiplier } from '../services/programme.service';

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

  @FieldResolver(() => [MemberOfferType], {
    description:
      "The published MULTIPLIER and BONUS_POINTS offers this member can activate now (the member's tier reaches the offer's; personal offers only for members of their segment who consent to marketing), each with whether it is activated already. The member and the admin only.",
  })
  async offers(@Root() member: PointsMemberType, @Ctx() ctx: PointsContext): Promise<MemberOfferType[]> {
    return (await ctx.offerActivations.available(ctx.viewer, member.id, ctx.requestId)).map(({ offer, personal, activated }) =>
      Object.assign(new MemberOfferType(), {
        offerId: offer.id,
        partner: Object.assign(new PartnerRefType(), { id: offer.partnerId }),
        title: offer.title,
        description: offer.description,
        kind: offer.kind,
        points: offer.points,
        multiplier: offer.multiplier === null ? null : formatMultiplier(parseMultiplier('multiplier', offer.multiplier)),
        validTo: offer.validTo?.toISOString() ?? null,
        minTier: offer.minTier,
        usesPerMember: offer.usesPerMember,
        personal,
        activated,
      }),
    );
  }
}
