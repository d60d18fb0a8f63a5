import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authenticated, anyScope, notFound } from '../../../../lib/src';
import { type PartnersContext } from '../context';
import { CreateOfferInput, CreateStoreInput, RetireOfferInput, UpdateOfferInput, UpdateStoreInput } from './catalogue.input';
import {
  CreateOfferPayload,
  CreateStorePayload,
  OfferPageType,
  OfferType,
  RetireOfferPayload,
  StoreType,
  toOfferType,
  toStoreType,
  UpdateOfferPayload,
  UpdateStorePayload,
} from './catalogue.type';
import { PartnerType, toPartnerType } from './partner.type';

const MANAGERS = 'Scope: admin (naming the partner), or the partner itself with a partner token carrying points:earn.';

@Resolver(() => StoreType)
export class StoreResolver {
  @Directive(Authenticated)
  @Query(() => StoreType, { nullable: true, description: 'A store: its partner and the admin only; null for anyone else, as for a missing id.' })
  async store(@Arg('id', () => ID) id: string, @Ctx() ctx: PartnersContext): Promise<StoreType | null> {
    const store = await ctx.stores.byId(ctx.viewer, id);
    return store && toStoreType(store);
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => CreateStorePayload, { description: `Adds a store to a partner. ${MANAGERS}` })
  async createStore(@Arg('input', () => CreateStoreInput) input: CreateStoreInput, @Ctx() ctx: PartnersContext): Promise<CreateStorePayload> {
    return { store: toStoreType(await ctx.stores.create(ctx.viewer, input)) };
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => UpdateStorePayload, { description: `Changes, closes or reopens a store. ${MANAGERS} Another partner's store is NOT_FOUND.` })
  async updateStore(@Arg('input', () => UpdateStoreInput) input: UpdateStoreInput, @Ctx() ctx: PartnersContext): Promise<UpdateStorePayload> {
    return { store: toStoreType(await ctx.stores.update(ctx.viewer, input)) };
  }
}

@Resolver(() => OfferType)
export class OfferResolver {
  @Directive(Authenticated)
  @Query(() => OfferType, {
    nullable: true,
    description: 'An offer: published ones for any authenticated caller; unpublished ones for their partner and the admin only (null for anyone else).',
  })
  async offer(@Arg('id', () => ID) id: string, @Ctx() ctx: PartnersContext): Promise<OfferType | null> {
    const offer = await ctx.offers.byId(ctx.viewer, id);
    return offer && toOfferType(offer);
  }

  @Directive('@inaccessible')
  @Query(() => OfferType, {
    nullable: true,
    description: "Internal: an offer that has not ended, even before its window opens, for a paid membership's early access. Only the points service credential (scope offers:preview); not in the public supergraph.",
  })
  async offerForEarlyAccess(@Arg('id', () => ID) id: string, @Ctx() ctx: PartnersContext): Promise<OfferType | null> {
    const offer = await ctx.offers.forEarlyAccess(ctx.viewer, id);
    return offer && toOfferType(offer);
  }

  @Directive(Authenticated)
  @Query(() => OfferPageType, {
    description:
      'Published offers of active partners, oldest first; any authenticated caller. includeInactive adds unpublished offers the caller may see: all for the admin, its own for a partner.',
  })
  async offers(
    @Arg('partnerId', () => ID, { nullable: true, description: "Only this partner's offers." }) partnerId: string | null,
    @Arg('includeInactive', () => Boolean, { defaultValue: false }) includeInactive: boolean,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: PartnersContext,
  ): Promise<OfferPageType> {
    const page = await ctx.offers.list(ctx.viewer, { partnerId, includeInactive, first, after });
    return { nodes: page.rows.map(toOfferType), endCursor: page.endCursor };
  }

  @FieldResolver(() => PartnerType)
  async partner(@Root() offer: OfferType, @Ctx() ctx: PartnersContext): Promise<PartnerType> {
    const partner = await ctx.loaders.partner.load(offer.partnerId);
    if (!partner) throw notFound('Partner');
    return toPartnerType(partner);
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => CreateOfferPayload, { description: `Adds an offer to a partner's catalogue. ${MANAGERS}` })
  async createOffer(@Arg('input', () => CreateOfferInput) input: CreateOfferInput, @Ctx() ctx: PartnersContext): Promise<CreateOfferPayload> {
    return { offer: toOfferType(await ctx.offers.create(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => UpdateOfferPayload, { description: `Changes an offer. ${MANAGERS} Another partner's offer is NOT_FOUND.` })
  async updateOffer(@Arg('input', () => UpdateOfferInput) input: UpdateOfferInput, @Ctx() ctx: PartnersContext): Promise<UpdateOfferPayload> {
    return { offer: toOfferType(await ctx.offers.update(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => RetireOfferPayload, { description: `Takes an offer out of the catalogue for good (repeating it changes nothing). ${MANAGERS}` })
  async retireOffer(@Arg('input', () => RetireOfferInput) input: RetireOfferInput, @Ctx() ctx: PartnersContext): Promise<RetireOfferPayload> {
    return { offer: toOfferType(await ctx.offers.retire(ctx.viewer, input)) };
  }
}
