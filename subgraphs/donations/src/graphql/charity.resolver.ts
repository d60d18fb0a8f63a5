import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Authenticated, anyScope } from '../../../../lib/src';
import { type DonationsContext } from '../context';
import { CreateCharityInput, UpdateCharityInput } from './charity.input';
import { CharityPageType, CharityType, CreateCharityPayload, UpdateCharityPayload, toCharityType } from './charity.type';

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

  @Directive(anyScope('admin'))
  @Mutation(() => UpdateCharityPayload, { description: "Changes a charity's status, verification or description. Scope: admin." })
  async updateCharity(@Arg('input', () => UpdateCharityInput) input: UpdateCharityInput, @Ctx() ctx: DonationsContext): Promise<UpdateCharityPayload> {
    return { charity: toCharityType(await ctx.charities.update(ctx.viewer, input)) };
  }
}
