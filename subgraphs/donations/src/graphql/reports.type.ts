import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MoneyType } from '../../../../lib/src';
import { type GivingRow } from '../services/reports.service';
import { CharityType } from './charity.type';
import { formatMoneyType } from './money.mapper';
import { GivingPartnerRef } from './partner-ref.type';

export enum GivingKind {
  DONATION = 'DONATION',
  PLEDGE = 'PLEDGE',
  MATCH = 'MATCH',
}
registerEnumType(GivingKind, { name: 'GivingKind', description: 'Point donations, partner pledges (net of reversals), partner matches.' });

export enum ReportPeriod {
  DAY = 'DAY',
  MONTH = 'MONTH',
}
registerEnumType(ReportPeriod, { name: 'ReportPeriod' });

@ObjectType('CharityDonationTotal')
export class CharityDonationTotalType {
  @Field(() => CharityType)
  charity!: CharityType;

  @Field(() => String)
  points!: string;

  @Field(() => Int)
  donations!: number;

  charityId!: string;
}

@ObjectType('DonationReport', { description: 'Confirmed point donations in [from, to).' })
export class DonationReportType {
  @Field(() => String)
  totalPoints!: string;

  @Field(() => [CharityDonationTotalType])
  byCharity!: CharityDonationTotalType[];
}

@ObjectType('GivingReportRow')
export class GivingReportRowType {
  @Field(() => String, { description: 'UTC day (YYYY-MM-DD) or month (YYYY-MM).' })
  period!: string;

  @Field(() => GivingKind)
  kind!: GivingKind;

  @Field(() => CharityType)
  charity!: CharityType;

  @Field(() => GivingPartnerRef, { nullable: true, description: 'The pledging or matching partner; null for point donations.' })
  partner!: GivingPartnerRef | null;

  @Field(() => String, { description: 'Donations, matches, or pledge accruals net of reversals.' })
  count!: string;

  @Field(() => String, { description: 'Points donated or matched (0 for pledges).' })
  points!: string;

  @Field(() => MoneyType, { description: 'Money value: donations at the donation rate; pledges and matches are what the partner owes.' })
  value!: MoneyType;

  charityId!: string;
}

export function toGivingRow(r: GivingRow): GivingReportRowType {
  return Object.assign(new GivingReportRowType(), {
    period: r.period,
    kind: r.kind as GivingKind,
    charityId: r.charityId,
    partner: r.partnerId ? Object.assign(new GivingPartnerRef(), { id: r.partnerId }) : null,
    count: r.count.toString(),
    points: r.points.toString(),
    value: formatMoneyType(r.valueMinor, r.currency),
  });
}

@ObjectType('GivingReport')
export class GivingReportType {
  @Field(() => [GivingReportRowType])
  rows!: GivingReportRowType[];
}

@ObjectType('MemberGiving', { description: "A member's own giving and its impact." })
export class MemberGivingType {
  @Field(() => Int)
  donations!: number;

  @Field(() => String)
  donatedPoints!: string;

  @Field(() => [MoneyType], { description: 'Money value of the donated points, per currency.' })
  donatedValue!: MoneyType[];

  @Field(() => String, { description: "Points partners matched on the member's donations." })
  matchedPoints!: string;

  @Field(() => [MoneyType], { description: "What partners pledged to the member's causes from the member's purchases." })
  pledgedValue!: MoneyType[];

  @Field(() => Int, { description: 'Charities the member has given to.' })
  charities!: number;
}
