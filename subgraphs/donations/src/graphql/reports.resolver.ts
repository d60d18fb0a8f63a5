import { Arg, Ctx, Directive, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type DonationsContext } from '../context';
import { charityOf } from './charity.loader';
import { CharityType } from './charity.type';
import { DonorType } from './donation.type';
import { formatMoneyType } from './money.mapper';
import { CharityDonationTotalType, DonationReportType, GivingKind, GivingReportRowType, GivingReportType, MemberGivingType, ReportPeriod, toGivingRow } from './reports.type';

@Resolver()
export class ReportsResolver {
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
}
