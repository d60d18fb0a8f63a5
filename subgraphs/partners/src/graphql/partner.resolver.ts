import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authenticated, anyScope } from '../../../../lib/src';
import { type PartnersContext } from '../context';
import { validate } from '../../../../lib/src';
import { StorePageType, toStoreType } from './catalogue.type';
import { CreatePartnerInput, ReactivatePartnerInput, SuspendPartnerInput, UpdatePartnerTermsInput } from './partner.input';
import {
  CreatePartnerPayload,
  PartnerPageType,
  PartnerTermsType,
  PartnerType,
  ReactivatePartnerPayload,
  SuspendPartnerPayload,
  toPartnerType,
  toTermsType,
  UpdatePartnerTermsPayload,
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

  @FieldResolver(() => PartnerTermsType, { nullable: true, description: 'The terms in force at a time (ISO 8601 with a zone). Null unless the caller is this partner or the admin.' })
  async termsAt(@Root() partner: PartnerType, @Arg('at', () => String) at: string, @Ctx() ctx: PartnersContext): Promise<PartnerTermsType | null> {
    if (!ctx.partners.canSeeTerms(ctx.viewer, partner.id)) return null;
    const [terms] = await ctx.partners.termsAt([partner.id], validate.instant('at', at));
    return terms ? toTermsType(terms, partner.currency) : null;
  }

  @FieldResolver(() => [PartnerTermsType], {
    nullable: true,
    description:
      'Every version in force at some time in [from, to), oldest first (the one in force at from, then each starting before to, scheduled ones included); without bounds, all (at most 100). Null unless the caller is this partner or the admin.',
  })
  async termsHistory(
    @Root() partner: PartnerType,
    @Arg('from', () => String, { nullable: true }) from: string | null,
    @Arg('to', () => String, { nullable: true }) to: string | null,
    @Ctx() ctx: PartnersContext,
  ): Promise<PartnerTermsType[] | null> {
    if (!ctx.partners.canSeeTerms(ctx.viewer, partner.id)) return null;
    const versions = await ctx.partners.termsHistory(
      partner.id,
      from == null ? null : validate.instant('from', from),
      to == null ? null : validate.instant('to', to),
    );
    return versions.map((v) => toTermsType(v, partner.currency));
  }

  @FieldResolver(() => StorePageType, { nullable: true, description: "The partner's stores, oldest first. Null unless the caller is this partner or the admin." })
  async stores(
    @Root() partner: PartnerType,
    @Arg('includeInactive', () => Boolean, { defaultValue: false, description: 'Also closed stores.' }) includeInactive: boolean,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: PartnersContext,
  ): Promise<StorePageType | null> {
    const page = await ctx.stores.ofPartner(ctx.viewer, partner.id, { includeInactive, first, after });
    return page && { nodes: page.rows.map(toStoreType), endCursor: page.endCursor };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => UpdatePartnerTermsPayload, {
    description:
      'Adds a version of the partner\'s contract terms, in force from validFrom (default now, never in the past); earlier versions stay as they were. Scope: admin.',
  })
  async updatePartnerTerms(
    @Arg('input', () => UpdatePartnerTermsInput) input: UpdatePartnerTermsInput,
    @Ctx() ctx: PartnersContext,
  ): Promise<UpdatePartnerTermsPayload> {
    const { partner, terms } = await ctx.partners.updateTerms(ctx.viewer, input);
    return { partner: toPartnerType(partner), terms: toTermsType(terms, partner.currency) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => CreatePartnerPayload, { description: 'Onboards a partner. Scope: admin.' })
  async createPartner(@Arg('input', () => CreatePartnerInput) input: CreatePartnerInput, @Ctx() ctx: PartnersContext): Promise<CreatePartnerPayload> {
    return { partner: toPartnerType(await ctx.partners.create(ctx.viewer, input)) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => SuspendPartnerPayload, {
    description:
      'Stops a partner from earning, redeeming (redeem, authorize, capture), reversing and enrolling members: each answers PARTNER_SUSPENDED. Voiding a hold stays allowed; the admin can still reverse its transactions. Its offers leave the public catalogue. Scope: admin.',
  })
  async suspendPartner(@Arg('input', () => SuspendPartnerInput) input: SuspendPartnerInput, @Ctx() ctx: PartnersContext): Promise<SuspendPartnerPayload> {
    return { partner: toPartnerType(await ctx.partners.setStatus(ctx.viewer, input.partnerId, 'SUSPENDED')) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => ReactivatePartnerPayload, { description: 'Lets a suspended partner earn, redeem, reverse and enroll again. Scope: admin.' })
  async reactivatePartner(
    @Arg('input', () => ReactivatePartnerInput) input: ReactivatePartnerInput,
    @Ctx() ctx: PartnersContext,
  ): Promise<ReactivatePartnerPayload> {
    return { partner: toPartnerType(await ctx.partners.setStatus(ctx.viewer, input.partnerId, 'ACTIVE')) };
  }
}
