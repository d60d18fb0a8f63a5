import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type PointsContext } from '../context';
import {
  CampaignType,
  ConfigureTiersInput,
  ConfigureTiersPayload,
  CreateCampaignInput,
  CreateCampaignPayload,
  TierType,
  toCampaignType,
  toTierType,
} from './programme.type';

@Resolver()
export class ProgrammeResolver {
  @Query(() => [TierType], { description: 'The tier table, lowest first. Any authenticated caller.' })
  async tiers(@Ctx() ctx: PointsContext): Promise<TierType[]> {
    return (await ctx.programme.tiers()).map(toTierType);
  }

  @Query(() => [CampaignType], { description: "Campaigns: a partner's own and the coalition-wide ones; all for the admin." })
  async campaigns(@Ctx() ctx: PointsContext): Promise<CampaignType[]> {
    return (await ctx.programme.campaigns(ctx.viewer)).map(toCampaignType);
  }

  @Mutation(() => ConfigureTiersPayload, { description: 'Replaces the tier table. Scope: admin.' })
  async configureTiers(@Arg('input', () => ConfigureTiersInput) input: ConfigureTiersInput, @Ctx() ctx: PointsContext): Promise<ConfigureTiersPayload> {
    return { tiers: (await ctx.programme.configureTiers(ctx.viewer, input.tiers)).map(toTierType) };
  }

  @Mutation(() => CreateCampaignPayload, { description: 'Starts a time-boxed earn campaign. Scope: points:earn (own partner) or admin.' })
  async createCampaign(@Arg('input', () => CreateCampaignInput) input: CreateCampaignInput, @Ctx() ctx: PointsContext): Promise<CreateCampaignPayload> {
    return { campaign: toCampaignType(await ctx.programme.createCampaign(ctx.viewer, input)) };
  }
}
