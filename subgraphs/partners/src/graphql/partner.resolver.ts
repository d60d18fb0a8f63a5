import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authenticated, anyScope } from '../../../shared/src';
import { type PartnersContext } from '../context';
import { CreatePartnerInput, ReactivatePartnerInput, SuspendPartnerInput } from './partner.input';
import {
  CreatePartnerPayload,
  PartnerPageType,
  PartnerTermsType,
  PartnerType,
  ReactivatePartnerPayload,
  SuspendPartnerPayload,
  toPartnerType,
  toTermsType,
} from './partner.type';

@Resolver(() => PartnerType)
export class PartnerResolver {
  @Directive(Authenticated)
  @Query(() => PartnerType, { nullable: true, description: 'A partner by id. Any authenticated caller; terms only for the partner and the admin.' })
  async partner(@Arg('id', () => ID) id: string, @Ctx() ctx: PartnersContext): Promise<PartnerType | null> {
    const partner = await ctx.partners.byId(id);
    return partner && toPartnerType(partner);
  }

  @Directive(Authenticated)
  @Query(() => PartnerType, { nullable: true, description: 'The partner the calling token acts for; null for other tokens.' })
  async viewerPartner(@Ctx() ctx: PartnersContext): Promise<PartnerType | null> {
    const partner = await ctx.partners.viewerPartner(ctx.viewer);
    return partner && toPartnerType(partner);
  }

  @Directive(anyScope('admin'))
  @Query(() => PartnerPageType, { description: 'All partners, oldest first. Scope: admin.' })
  async partners(
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: PartnersContext,
  ): Promise<PartnerPageType> {
    const page = await ctx.partners.list(ctx.viewer, first, after);
    return { nodes: page.rows.map(toPartnerType), endCursor: page.endCursor };
  }

  @FieldResolver(() => PartnerTermsType, { nullable: true })
  async terms(@Root() partner: PartnerType, @Ctx() ctx: PartnersContext): Promise<PartnerTermsType | null> {
    if (!ctx.partners.canSeeTerms(ctx.viewer, partner.id)) return null;
    const terms = await ctx.loaders.terms.load(partner.id);
    return terms && toTermsType(terms, partner.currency);
  }

  @Directive(anyScope('admin'))
  @Mutation(() => CreatePartnerPayload, { description: 'Onboards a partner. Scope: admin.' })
  async createPartner(@Arg('input', () => CreatePartnerInput) input: CreatePartnerInput, @Ctx() ctx: PartnersContext): Promise<CreatePartnerPayload> {
    return { partner: toPartnerType(await ctx.partners.create(ctx.viewer, input)) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => SuspendPartnerPayload, { description: 'Stops a partner from earning and redeeming. Scope: admin.' })
  async suspendPartner(@Arg('input', () => SuspendPartnerInput) input: SuspendPartnerInput, @Ctx() ctx: PartnersContext): Promise<SuspendPartnerPayload> {
    return { partner: toPartnerType(await ctx.partners.setStatus(ctx.viewer, input.partnerId, 'SUSPENDED')) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => ReactivatePartnerPayload, { description: 'Lets a suspended partner earn and redeem again. Scope: admin.' })
  async reactivatePartner(
    @Arg('input', () => ReactivatePartnerInput) input: ReactivatePartnerInput,
    @Ctx() ctx: PartnersContext,
  ): Promise<ReactivatePartnerPayload> {
    return { partner: toPartnerType(await ctx.partners.setStatus(ctx.viewer, input.partnerId, 'ACTIVE')) };
  }
}
