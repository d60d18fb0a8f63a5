import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { notFound, Authenticated, anyScope } from '../../../shared/src';
import { type DonationsContext } from '../context';
import { CreateCharityInput } from './charity.input';
import {
  CharityPageType,
  CharityType,
  CreateCharityPayload,
  DonationType,
  DonorType,
  toCharityType,
  toDonationType,
} from './charity.type';

@Resolver(() => CharityType)
export class CharityResolver {
  @Directive(Authenticated)
  @Query(() => CharityType, { nullable: true, description: 'A charity by id. Any authenticated caller.' })
  async charity(@Arg('id', () => ID) id: string, @Ctx() ctx: DonationsContext): Promise<CharityType | null> {
    const charity = await ctx.charities.byId(id);
    return charity && toCharityType(charity);
  }

  @Directive(Authenticated)
  @Query(() => CharityPageType, { description: 'Charities, oldest first. Any authenticated caller.' })
  async charities(
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: DonationsContext,
  ): Promise<CharityPageType> {
    const page = await ctx.charities.list(first, after);
    return { nodes: page.rows.map(toCharityType), endCursor: page.endCursor };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => CreateCharityPayload, { description: 'Onboards a charity. Scope: admin.' })
  async createCharity(@Arg('input', () => CreateCharityInput) input: CreateCharityInput, @Ctx() ctx: DonationsContext): Promise<CreateCharityPayload> {
    return { charity: toCharityType(await ctx.charities.create(ctx.viewer, input)) };
  }
}

@Resolver(() => DonationType)
export class DonationResolver {
  @FieldResolver(() => CharityType)
  async charity(@Root() donation: DonationType, @Ctx() ctx: DonationsContext): Promise<CharityType> {
    const charity = await ctx.loaders.charity.load(donation.charityId);
    if (!charity) throw notFound('Charity');
    return toCharityType(charity);
  }
}

@Resolver(() => DonorType)
export class DonorResolver {
  @FieldResolver(() => [DonationType], { description: "The member's own giving, newest first (at most 100). The member and the admin only." })
  async donations(@Root() member: DonorType, @Ctx() ctx: DonationsContext): Promise<DonationType[]> {
    return (await ctx.charities.donationsOf(ctx.viewer, member.id)).map(toDonationType);
  }
}
