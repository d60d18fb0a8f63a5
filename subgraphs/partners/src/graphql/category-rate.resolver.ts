import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PartnersContext } from '../context';
import { CategoryRateType, SetCategoryRateInput, SetCategoryRatePayload, toCategoryRateType } from './category-rate.type';
import { PartnerType } from './partner.type';

@Resolver(() => PartnerType)
export class CategoryRateResolver {
  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => SetCategoryRatePayload, {
    description: 'Sets the extra earn on a category from validFrom (default now); earlier versions stay. Scope: admin (naming the partner), or the partner itself with points:earn.',
  })
  async setCategoryRate(@Arg('input', () => SetCategoryRateInput) input: SetCategoryRateInput, @Ctx() ctx: PartnersContext): Promise<SetCategoryRatePayload> {
    return { rate: toCategoryRateType(await ctx.categoryRates.set(ctx.viewer, input)) };
  }

  @FieldResolver(() => [CategoryRateType], { nullable: true, description: 'Category rates in force now. Null unless the caller is this partner or the admin.' })
  async categoryRates(@Root() partner: PartnerType, @Ctx() ctx: PartnersContext): Promise<CategoryRateType[] | null> {
    return (await ctx.categoryRates.inForce(ctx.viewer, partner.id))?.map(toCategoryRateType) ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'When the category rates in force now next change (a version already set for later takes effect), ISO 8601 UTC; null while none is scheduled. Null unless the caller is this partner or the admin.',
  })
  async categoryRatesValidUntil(@Root() partner: PartnerType, @Ctx() ctx: PartnersContext): Promise<string | null> {
    return (await ctx.categoryRates.nextChange(ctx.viewer, partner.id))?.toISOString() ?? null;
  }

  @FieldResolver(() => [CategoryRateType], { nullable: true, description: 'Every version of the category rates, oldest first. Null unless the caller is this partner or the admin.' })
  async categoryRateHistory(@Root() partner: PartnerType, @Ctx() ctx: PartnersContext): Promise<CategoryRateType[] | null> {
    return (await ctx.categoryRates.history(ctx.viewer, partner.id))?.map(toCategoryRateType) ?? null;
  }
}
