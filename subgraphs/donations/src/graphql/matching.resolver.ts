import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { anyScope, Authenticated } from '../../../../lib/src';
import { type DonationsContext } from '../context';
import { charityOf } from './charity.loader';
import { CharityType } from './charity.type';
import { CreateMatchCampaignInput, CreateMatchCampaignPayload, MatchCampaignType, toCampaign } from './matching.type';

@Resolver()
export class MatchingResolver {
  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => CreateMatchCampaignPayload, { description: "A partner matches members' point donations to a charity 1:1 up to a cap. Scope: points:earn (itself) or admin." })
  async createMatchCampaign(@Arg('input', () => CreateMatchCampaignInput) input: CreateMatchCampaignInput, @Ctx() ctx: DonationsContext): Promise<CreateMatchCampaignPayload> {
    return { campaign: toCampaign(await ctx.matching.create(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(Authenticated)
  @Query(() => [MatchCampaignType], { description: "Matching campaigns: the admin's all, a partner's own, a charity's own." })
  async matchCampaigns(@Arg('charityId', () => ID, { nullable: true }) charityId: string | null, @Ctx() ctx: DonationsContext): Promise<MatchCampaignType[]> {
    return (await ctx.matching.list(ctx.viewer, charityId)).map(toCampaign);
  }
}

@Resolver(() => MatchCampaignType)
export class MatchCampaignResolver {
  @FieldResolver(() => CharityType)
  async charity(@Root() row: MatchCampaignType, @Ctx() ctx: DonationsContext): Promise<CharityType> {
    return charityOf(ctx, row.charityId);
  }
}
