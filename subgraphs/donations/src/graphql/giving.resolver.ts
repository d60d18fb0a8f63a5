import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { anyScope, Authenticated, notFound } from '../../../shared/src';
import { type DonationsContext } from '../context';
import { CharityType, DonationType, DonorType, toCharityType, toDonationType } from './charity.type';
import {
  CharityDonationTotalType,
  CharityGoalType,
  ChooseCauseInput,
  ChooseCausePayload,
  CreateCharityGoalInput,
  CreateCharityGoalPayload,
  CreateMatchCampaignInput,
  CreateMatchCampaignPayload,
  DonatePointsInput,
  DonatePointsPayload,
  DonationReportType,
  GivingKind,
  GivingPartnerRef,
  GivingReportRowType,
  GivingReportType,
  MatchCampaignType,
  MemberGivingType,
  PledgeAccrualOutcome,
  PledgeType,
  ReceiptChainVerificationType,
  ReceiptHeadInput,
  ReceiptType,
  ReconcileDonationsInput,
  ReconcileDonationsPayload,
  RecordPledgeAccrualInput,
  RecordPledgeAccrualPayload,
  ReportPeriod,
  SetPledgeInput,
  SetPledgePayload,
  UpdateCharityInput,
  UpdateCharityPayload,
  formatMoneyType,
  toGivingRow,
  toReceiptType,
  toVerificationType,
} from './giving.type';
import { type GoalRow } from '../persistence/charities.repository';
import { type MatchCampaignRow } from '../persistence/matching.repository';

function toGoal(g: GoalRow): CharityGoalType {
  return Object.assign(new CharityGoalType(), {
    id: g.id,
    title: g.title,
    targetPoints: g.target_points,
    progressPoints: g.progress_points,
    startsAt: g.starts_at.toISOString(),
    endsAt: g.ends_at.toISOString(),
  });
}

function toCampaign(c: MatchCampaignRow): MatchCampaignType {
  return Object.assign(new MatchCampaignType(), {
    id: c.id,
    partner: Object.assign(new GivingPartnerRef(), { id: c.partner_id }),
    charityId: c.charity_id,
    capPoints: c.cap_points,
    matchedPoints: c.matched,
    startsAt: c.starts_at.toISOString(),
    endsAt: c.ends_at.toISOString(),
  });
}

async function charityOf(ctx: DonationsContext, id: string): Promise<CharityType> {
  const charity = await ctx.loaders.charity.load(id);
  if (!charity) throw notFound('Charity');
  return toCharityType(charity);
}

@Resolver()
export class GivingResolver {
  @Directive(anyScope('member'))
  @Mutation(() => DonatePointsPayload, {
    description:
      "Gives the calling member's points to an active, verified charity (CHARITY_INACTIVE otherwise). Scope: member; the donor is always the token's member. Idempotent per key.",
  })
  async donatePoints(@Arg('input', () => DonatePointsInput) input: DonatePointsInput, @Ctx() ctx: DonationsContext): Promise<DonatePointsPayload> {
    return { donation: toDonationType(await ctx.donations.donate(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => UpdateCharityPayload, { description: "Changes a charity's status, verification or description. Scope: admin." })
  async updateCharity(@Arg('input', () => UpdateCharityInput) input: UpdateCharityInput, @Ctx() ctx: DonationsContext): Promise<UpdateCharityPayload> {
    return { charity: toCharityType(await ctx.charities.update(ctx.viewer, input)) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => CreateCharityGoalPayload, { description: 'Sets a goal (target points over a period) for a charity. Scope: admin.' })
  async createCharityGoal(@Arg('input', () => CreateCharityGoalInput) input: CreateCharityGoalInput, @Ctx() ctx: DonationsContext): Promise<CreateCharityGoalPayload> {
    return { goal: toGoal(await ctx.charities.createGoal(ctx.viewer, input)) };
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => SetPledgePayload, { description: 'A partner pledges a percentage of each purchase to its members\' chosen causes. Scope: points:earn (itself) or admin.' })
  async setPledge(@Arg('input', () => SetPledgeInput) input: SetPledgeInput, @Ctx() ctx: DonationsContext): Promise<SetPledgePayload> {
    const p = await ctx.pledges.setPledge(ctx.viewer, input, ctx.requestId);
    const percent = (p.basisPoints / 100).toFixed(2);
    return {
      pledge: Object.assign(new PledgeType(), { id: p.id, partner: Object.assign(new GivingPartnerRef(), { id: p.partnerId }), percent, validFrom: p.validFrom.toISOString() }),
    };
  }

  @Directive(anyScope('member'))
  @Mutation(() => ChooseCausePayload, { description: "The calling member's cause for partner pledges, from now on. Scope: member." })
  async chooseCause(@Arg('input', () => ChooseCauseInput) input: ChooseCauseInput, @Ctx() ctx: DonationsContext): Promise<ChooseCausePayload> {
    const id = await ctx.pledges.chooseCause(ctx.viewer, input);
    return { cause: id ? await charityOf(ctx, id) : null };
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => CreateMatchCampaignPayload, { description: "A partner matches members' point donations to a charity 1:1 up to a cap. Scope: points:earn (itself) or admin." })
  async createMatchCampaign(@Arg('input', () => CreateMatchCampaignInput) input: CreateMatchCampaignInput, @Ctx() ctx: DonationsContext): Promise<CreateMatchCampaignPayload> {
    return { campaign: toCampaign(await ctx.matching.create(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => ReconcileDonationsPayload, { description: 'Drives pending donations to their final state now (the reconciler also runs on its own). Scope: admin.' })
  async reconcileDonations(@Arg('input', () => ReconcileDonationsInput) input: ReconcileDonationsInput, @Ctx() ctx: DonationsContext): Promise<ReconcileDonationsPayload> {
    return Object.assign(new ReconcileDonationsPayload(), await ctx.donations.reconcileNow(ctx.viewer, input.olderThanMs));
  }

  @Directive('@inaccessible')
  @Mutation(() => RecordPledgeAccrualPayload, { description: "Internal: consumes one earn event from the ledger's outbox, once. Only the points service credential (scope pledges:record)." })
  async recordPledgeAccrual(@Arg('input', () => RecordPledgeAccrualInput) input: RecordPledgeAccrualInput, @Ctx() ctx: DonationsContext): Promise<RecordPledgeAccrualPayload> {
    const r = await ctx.pledges.record(ctx.viewer, input);
    return Object.assign(new RecordPledgeAccrualPayload(), { eventId: r.eventId, outcome: r.outcome as PledgeAccrualOutcome });
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => DonationReportType, {
    description: 'Confirmed point donations, from inclusive, to exclusive. Admin: any charity or all; a charity token (reports:read): its own.',
  })
  async donationReport(
    @Arg('from', () => String) from: string,
    @Arg('to', () => String) to: string,
    @Arg('charityId', () => ID, { nullable: true }) charityId: string | null,
    @Ctx() ctx: DonationsContext,
  ): Promise<DonationReportType> {
    const report = await ctx.reports.donationReport(ctx.viewer, from, to, charityId);
    return {
      totalPoints: report.totalPoints.toString(),
      byCharity: report.byCharity.map((r) => Object.assign(new CharityDonationTotalType(), { charityId: r.charityId, points: r.points.toString(), donations: r.donations })),
    };
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => GivingReportType, {
    description:
      'Giving by period (UTC day or month), kind, charity and partner, with counts and money values. Admin: everything; a charity token (reports:read): its own charity; a partner token (reports:read): its own pledges and matches.',
  })
  async givingReport(
    @Arg('from', () => String) from: string,
    @Arg('to', () => String) to: string,
    @Arg('period', () => ReportPeriod, { defaultValue: ReportPeriod.MONTH }) period: ReportPeriod,
    @Arg('charityId', () => ID, { nullable: true }) charityId: string | null,
    @Arg('partnerId', () => ID, { nullable: true }) partnerId: string | null,
    @Arg('kinds', () => [GivingKind], { nullable: true }) kinds: GivingKind[] | null,
    @Ctx() ctx: DonationsContext,
  ): Promise<GivingReportType> {
    const rows = await ctx.reports.givingReport(ctx.viewer, { from, to, period, charityId, partnerId, kinds });
    return { rows: rows.map(toGivingRow) };
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => ReceiptChainVerificationType, {
    description: "Recomputes a charity's receipt chain. Pass a head seen earlier to prove it was neither altered nor trimmed. The charity itself (reports:read) or the admin.",
  })
  async verifyReceiptChain(
    @Arg('charityId', () => ID) charityId: string,
    @Arg('knownHead', () => ReceiptHeadInput, { nullable: true }) knownHead: ReceiptHeadInput | null,
    @Ctx() ctx: DonationsContext,
  ): Promise<ReceiptChainVerificationType> {
    return toVerificationType(await ctx.receipts.verify(ctx.viewer, charityId, knownHead));
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => [ReceiptType], { description: "A charity's receipts by sequence (at most 100). The charity itself (reports:read) or the admin." })
  async receipts(
    @Arg('charityId', () => ID) charityId: string,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('afterSeq', () => Int, { nullable: true }) afterSeq: number | null,
    @Ctx() ctx: DonationsContext,
  ): Promise<ReceiptType[]> {
    return (await ctx.receipts.page(ctx.viewer, charityId, first, afterSeq)).map(toReceiptType);
  }

  @Directive(Authenticated)
  @Query(() => [MatchCampaignType], { description: "Matching campaigns: the admin's all, a partner's own, a charity's own." })
  async matchCampaigns(@Arg('charityId', () => ID, { nullable: true }) charityId: string | null, @Ctx() ctx: DonationsContext): Promise<MatchCampaignType[]> {
    return (await ctx.matching.list(ctx.viewer, charityId)).map(toCampaign);
  }
}

@Resolver(() => CharityType)
export class CharityGivingResolver {
  @FieldResolver(() => [CharityGoalType], { description: 'Goals with live progress. Any authenticated caller.' })
  async goals(@Root() charity: CharityType, @Ctx() ctx: DonationsContext): Promise<CharityGoalType[]> {
    return (await ctx.charities.goals(charity.id)).map(toGoal);
  }
}

@Resolver(() => DonationType)
export class DonationReceiptResolver {
  @FieldResolver(() => ReceiptType, { nullable: true, description: "The donation's receipt (with its place and hash in the charity's chain) once CONFIRMED." })
  async receipt(@Root() donation: DonationType, @Ctx() ctx: DonationsContext): Promise<ReceiptType | null> {
    const receipt = await ctx.receipts.byReceiptId(donation.receiptId);
    return receipt && toReceiptType(receipt);
  }
}

@Resolver(() => CharityDonationTotalType)
export class CharityDonationTotalResolver {
  @FieldResolver(() => CharityType)
  async charity(@Root() row: CharityDonationTotalType, @Ctx() ctx: DonationsContext): Promise<CharityType> {
    return charityOf(ctx, row.charityId);
  }
}

@Resolver(() => GivingReportRowType)
export class GivingReportRowResolver {
  @FieldResolver(() => CharityType)
  async charity(@Root() row: GivingReportRowType, @Ctx() ctx: DonationsContext): Promise<CharityType> {
    return charityOf(ctx, row.charityId);
  }
}

@Resolver(() => MatchCampaignType)
export class MatchCampaignResolver {
  @FieldResolver(() => CharityType)
  async charity(@Root() row: MatchCampaignType, @Ctx() ctx: DonationsContext): Promise<CharityType> {
    return charityOf(ctx, row.charityId);
  }
}

@Resolver(() => DonorType)
export class DonorGivingResolver {
  @FieldResolver(() => MemberGivingType, { description: "The member's own giving and its impact. The member and the admin only." })
  async giving(@Root() member: DonorType, @Ctx() ctx: DonationsContext): Promise<MemberGivingType> {
    const g = await ctx.reports.memberGiving(ctx.viewer, member.id);
    return Object.assign(new MemberGivingType(), {
      donations: Number(g.donations),
      donatedPoints: g.points.toString(),
      donatedValue: g.value.map((v) => formatMoneyType(v.minor, v.currency)),
      matchedPoints: g.matched.toString(),
      pledgedValue: g.pledged.map((v) => formatMoneyType(v.minor, v.currency)),
      charities: Number(g.charities),
    });
  }

  @FieldResolver(() => CharityType, { nullable: true, description: "The member's chosen cause for partner pledges. The member and the admin only." })
  async cause(@Root() member: DonorType, @Ctx() ctx: DonationsContext): Promise<CharityType | null> {
    ctx.reports.requireMemberView(ctx.viewer, member.id);
    const id = await ctx.pledges.causeOf(member.id);
    return id ? charityOf(ctx, id) : null;
  }
}
