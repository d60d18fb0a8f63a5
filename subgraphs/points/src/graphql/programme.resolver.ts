import { Arg, Ctx, Directive, Mutation, Query, Resolver } from 'type-graphql';
import { Authenticated, anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import {
  CampaignType,
  ConfigureTiersInput,
  ConfigureTiersPayload,
  CreateCampaignInput,
  CreateCampaignPayload,
  LedgerCheckType,
  OverrideMemberTierInput,
  OverrideMemberTierPayload,
  toTierOverrideType,
  TierType,
  toCampaignType,
  toTierType,
} from './programme.type';

@Resolver()
export class ProgrammeResolver {
  @Directive(Authenticated)
  @Query(() => [TierType], { description: 'The tier table, lowest first. Any authenticated caller.' })
  async tiers(@Ctx() ctx: PointsContext): Promise<TierType[]> {
    return (await ctx.programme.tiers()).map(toTierType);
  }

  @Directive(Authenticated)
  @Query(() => [CampaignType], { description: "Campaigns: a partner's own and the coalition-wide ones; all for the admin." })
  async campaigns(@Ctx() ctx: PointsContext): Promise<CampaignType[]> {
    return (await ctx.programme.campaigns(ctx.viewer)).map(toCampaignType);
  }

  @Directive(anyScope('admin'))
  @Query(() => LedgerCheckType, { description: 'Proves every balance from the postings (a full scan). Scope: admin.' })
  async ledgerCheck(@Ctx() ctx: PointsContext): Promise<LedgerCheckType> {
    const c = await ctx.integrity.check(ctx.viewer);
    return Object.assign(new LedgerCheckType(), {
      ok: c.ok,
      transactions: c.transactions.toString(),
      postings: c.postings.toString(),
      unbalancedTransactions: c.unbalancedTransactions.toString(),
      balanceDrift: c.balanceDrift.toString(),
      lotDrift: c.lotDrift.toString(),
      pendingDrift: c.pendingDrift.toString(),
      pointsMismatch: c.pointsMismatch.toString(),
    });
  }

  @Directive(anyScope('admin'))
  @Mutation(() => ConfigureTiersPayload, { description: 'Replaces the tier table. Scope: admin.' })
  async configureTiers(@Arg('input', () => ConfigureTiersInput) input: ConfigureTiersInput, @Ctx() ctx: PointsContext): Promise<ConfigureTiersPayload> {
    return { tiers: (await ctx.programme.configureTiers(ctx.viewer, input.tiers)).map(toTierType) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => OverrideMemberTierPayload, {
    description: "Sets a member's tier until endsAt, with a reason (shown to the member; audited): it wins over qualifying points and retention until then. Scope: admin.",
  })
  async overrideMemberTier(@Arg('input', () => OverrideMemberTierInput) input: OverrideMemberTierInput, @Ctx() ctx: PointsContext): Promise<OverrideMemberTierPayload> {
    return { override: toTierOverrideType(await ctx.programme.overrideTier(ctx.viewer, input)) };
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => CreateCampaignPayload, { description: 'Starts a time-boxed earn campaign. Scope: points:earn (own partner) or admin.' })
  async createCampaign(@Arg('input', () => CreateCampaignInput) input: CreateCampaignInput, @Ctx() ctx: PointsContext): Promise<CreateCampaignPayload> {
    return { campaign: toCampaignType(await ctx.programme.createCampaign(ctx.viewer, input)) };
  }
}
