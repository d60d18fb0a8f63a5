import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { formatMoney, MoneyType, money } from '../../../shared/src';
import { type StoredReceipt, type ChainVerification } from '../services/receipts.service';
import { type GivingRow } from '../services/reports.service';
import { CharityType, CharityVerification, DonationType } from './charity.type';

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

export enum ReceiptKind {
  DONATION = 'DONATION',
  PLEDGE = 'PLEDGE',
  PLEDGE_REVERSAL = 'PLEDGE_REVERSAL',
  MATCH = 'MATCH',
}
registerEnumType(ReceiptKind, { name: 'ReceiptKind' });

export enum PledgeAccrualOutcome {
  ACCRUAL = 'ACCRUAL',
  REVERSAL = 'REVERSAL',
  NO_PLEDGE = 'NO_PLEDGE',
}
registerEnumType(PledgeAccrualOutcome, { name: 'PledgeAccrualOutcome' });

/** The partners subgraph's Partner, referenced by report rows. */
@Directive('@key(fields: "id")')
@ObjectType('Partner')
export class GivingPartnerRef {
  @Field(() => ID)
  id!: string;
}

@InputType('DonatePointsInput')
export class DonatePointsInput {
  @Field(() => ID)
  charityId!: string;

  @Field(() => Int, { description: 'At least the configured minimum (DONATION_MIN_POINTS).' })
  points!: number;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('DonatePointsPayload')
export class DonatePointsPayload {
  @Field(() => DonationType)
  donation!: DonationType;
}

@ObjectType('Receipt', { description: "One link of a charity's receipt chain: hash = SHA-256 of its canonical encoding, including prevHash." })
export class ReceiptType {
  @Field(() => String)
  receiptId!: string;

  @Field(() => ID)
  charityId!: string;

  @Field(() => String, { description: 'Gapless sequence number in the charity chain, from 1.' })
  seq!: string;

  @Field(() => ReceiptKind)
  kind!: ReceiptKind;

  @Field(() => ID, { description: 'The donation, pledge accrual or match the receipt proves.' })
  subjectId!: string;

  @Field(() => String, { nullable: true })
  points!: string | null;

  @Field(() => MoneyType)
  value!: MoneyType;

  @Field(() => String)
  createdAt!: string;

  @Field(() => String)
  prevHash!: string;

  @Field(() => String)
  hash!: string;
}

export function toReceiptType(r: StoredReceipt): ReceiptType {
  return Object.assign(new ReceiptType(), {
    receiptId: r.receiptId,
    charityId: r.charityId,
    seq: r.seq.toString(),
    kind: r.kind as ReceiptKind,
    subjectId: r.subjectId,
    points: r.points === null ? null : r.points.toString(),
    value: formatMoneyType(r.amountMinor, r.currency),
    createdAt: r.createdAt.toISOString(),
    prevHash: r.prevHash,
    hash: r.hash,
  });
}

export function formatMoneyType(minor: bigint, currency: string): MoneyType {
  const m = formatMoney({ minor, currency });
  return money(m.amount, m.currency);
}

@InputType('ReceiptHeadInput', { description: 'A head seen before (seq and hash): verification then also proves it is still there, unchanged.' })
export class ReceiptHeadInput {
  @Field(() => Int)
  seq!: number;

  @Field(() => String)
  hash!: string;
}

@ObjectType('ReceiptChainVerification')
export class ReceiptChainVerificationType {
  @Field(() => ID)
  charityId!: string;

  @Field(() => Boolean, { description: 'Every receipt links to the previous one and hashes to its stored hash, the chain record agrees, and a given known head is intact.' })
  valid!: boolean;

  @Field(() => String, { description: 'Receipts in the chain.' })
  length!: string;

  @Field(() => String, { description: "The last receipt's hash: keep it with the length to detect trimming later." })
  headHash!: string;

  @Field(() => String, { nullable: true, description: 'The first sequence number found broken; null when valid.' })
  firstBrokenSeq!: string | null;

  @Field(() => Boolean, { nullable: true })
  knownHeadMatches!: boolean | null;
}

export function toVerificationType(v: ChainVerification): ReceiptChainVerificationType {
  return Object.assign(new ReceiptChainVerificationType(), {
    charityId: v.charityId,
    valid: v.valid,
    length: v.length.toString(),
    headHash: v.headHash,
    firstBrokenSeq: v.firstBrokenSeq === null ? null : v.firstBrokenSeq.toString(),
    knownHeadMatches: v.knownHeadMatches,
  });
}

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

@ObjectType('CharityGoal', { description: 'A target of points over a period, with live progress (confirmed donations and matches).' })
export class CharityGoalType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  targetPoints!: string;

  @Field(() => String)
  progressPoints!: string;

  @Field(() => String)
  startsAt!: string;

  @Field(() => String)
  endsAt!: string;
}

@InputType('UpdateCharityInput')
export class UpdateCharityInput {
  @Field(() => ID)
  charityId!: string;

  @Field(() => String, { nullable: true, description: 'ACTIVE or INACTIVE.' })
  status?: 'ACTIVE' | 'INACTIVE' | null;

  @Field(() => CharityVerification, { nullable: true })
  verification?: CharityVerification | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@ObjectType('UpdateCharityPayload')
export class UpdateCharityPayload {
  @Field(() => CharityType)
  charity!: CharityType;
}

@InputType('CreateCharityGoalInput')
export class CreateCharityGoalInput {
  @Field(() => ID)
  charityId!: string;

  @Field(() => String)
  title!: string;

  @Field(() => Int)
  targetPoints!: number;

  @Field(() => String)
  startsAt!: string;

  @Field(() => String)
  endsAt!: string;
}

@ObjectType('CreateCharityGoalPayload')
export class CreateCharityGoalPayload {
  @Field(() => CharityGoalType)
  goal!: CharityGoalType;
}

@InputType('SetPledgeInput')
export class SetPledgeInput {
  @Field(() => ID, { nullable: true, description: 'Required for the admin; a partner token pledges for itself.' })
  partnerId?: string | null;

  @Field(() => String, { description: 'Percent of each purchase amount, up to 2 decimals, for example "1" or "0.5". "0" ends the pledge.' })
  percent!: string;

  @Field(() => String, { nullable: true, description: 'In force from (default now; never in the past).' })
  validFrom?: string | null;
}

@ObjectType('Pledge')
export class PledgeType {
  @Field(() => ID)
  id!: string;

  @Field(() => GivingPartnerRef)
  partner!: GivingPartnerRef;

  @Field(() => String)
  percent!: string;

  @Field(() => String)
  validFrom!: string;
}

@ObjectType('SetPledgePayload')
export class SetPledgePayload {
  @Field(() => PledgeType)
  pledge!: PledgeType;
}

@InputType('ChooseCauseInput')
export class ChooseCauseInput {
  @Field(() => ID, { nullable: true, description: 'null: no cause from now on.' })
  charityId?: string | null;
}

@ObjectType('ChooseCausePayload')
export class ChooseCausePayload {
  @Field(() => CharityType, { nullable: true })
  cause!: CharityType | null;
}

@InputType('CreateMatchCampaignInput')
export class CreateMatchCampaignInput {
  @Field(() => ID, { nullable: true, description: 'Required for the admin; a partner token runs its own.' })
  partnerId?: string | null;

  @Field(() => ID)
  charityId!: string;

  @Field(() => Int, { description: 'The most points the partner matches in total.' })
  capPoints!: number;

  @Field(() => String, { nullable: true })
  startsAt?: string | null;

  @Field(() => String)
  endsAt!: string;
}

@ObjectType('MatchCampaign', { description: "A partner matching members' point donations to a charity 1:1 up to a cap." })
export class MatchCampaignType {
  @Field(() => ID)
  id!: string;

  @Field(() => GivingPartnerRef)
  partner!: GivingPartnerRef;

  @Field(() => CharityType)
  charity!: CharityType;

  @Field(() => String)
  capPoints!: string;

  @Field(() => String)
  matchedPoints!: string;

  @Field(() => String)
  startsAt!: string;

  @Field(() => String)
  endsAt!: string;

  charityId!: string;
}

@ObjectType('CreateMatchCampaignPayload')
export class CreateMatchCampaignPayload {
  @Field(() => MatchCampaignType)
  campaign!: MatchCampaignType;
}

@InputType('ReconcileDonationsInput')
export class ReconcileDonationsInput {
  @Field(() => Int, { defaultValue: 0, description: 'Only donations pending for at least this long (ms).' })
  olderThanMs!: number;
}

@ObjectType('ReconcileDonationsPayload')
export class ReconcileDonationsPayload {
  @Field(() => Int)
  confirmed!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int)
  pending!: number;
}

@InputType('RecordPledgeAccrualInput')
export class RecordPledgeAccrualInput {
  @Field(() => ID, { description: 'The ledger transaction id of the earn or of its reversal.' })
  eventId!: string;

  @Field(() => String, { description: 'EARN or EARN_REVERSAL.' })
  kind!: 'EARN' | 'EARN_REVERSAL';

  @Field(() => ID)
  earnId!: string;

  @Field(() => ID)
  partnerId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  purchaseMinor!: string;

  @Field(() => String)
  currency!: string;

  @Field(() => String)
  occurredAt!: string;
}

@ObjectType('RecordPledgeAccrualPayload')
export class RecordPledgeAccrualPayload {
  @Field(() => ID)
  eventId!: string;

  @Field(() => PledgeAccrualOutcome)
  outcome!: PledgeAccrualOutcome;
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

export { DonationType };
