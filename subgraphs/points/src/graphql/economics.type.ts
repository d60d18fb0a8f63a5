import { Field, Int, ObjectType } from 'type-graphql';
import { currencyExponent, money, MoneyType } from '../../../../lib/src';
import { formatMicros, VALUE_SCALE, type RoundedValue } from '../domain/settlement.rules';
import { type AgeingBucket, type CashoutTotal, type CoalitionPosition, type CurrencyTotal, type Flow, type LiabilityLine, type PointsAndValue, type Statement } from '../services/economics.service';
import { PartnerRefType } from './points.type';

const ROUNDING =
  'Rounding rule: a line is the exact sum of each posting\'s points × the price per point in force when it was posted (6 decimals), rounded once, half to even, to the currency\'s minor unit; `exactValue` is the unrounded sum.';

@ObjectType('SettlementLine', { description: `Points and their value on one statement line. ${ROUNDING}` })
export class SettlementLineType {
  @Field(() => String, { description: 'Points (a decimal integer string; negative only for a net that went back).' })
  points!: string;

  @Field(() => MoneyType, { description: "Value in the partner's currency, rounded to its minor unit." })
  value!: MoneyType;

  @Field(() => String, { description: 'Unrounded value, 6 decimals, same currency.' })
  exactValue!: string;
}

@ObjectType('SettlementFlow', { description: 'Cross-partner flow: points issued by one partner and honoured by another, traced through the lots they came from.' })
export class SettlementFlowType {
  @Field(() => PartnerRefType, { description: 'The other partner: the issuer (in honouredByIssuer) or the honouring partner (in issuedHonouredBy).' })
  partner!: PartnerRefType;

  @Field(() => String)
  points!: string;

  @Field(() => MoneyType, { description: "Valued with this statement's own partner's snapshots: reimbursement for points it honoured, issue price for its points honoured elsewhere." })
  value!: MoneyType;

  @Field(() => String, { description: 'Unrounded value, 6 decimals.' })
  exactValue!: string;
}

@ObjectType('MembershipFees', { description: "Paid memberships a partner sold at its till in the period: their fees are the coalition's revenue, which the partner collected and owes." })
export class MembershipFeesType {
  @Field(() => Int, { description: 'Sales (starts and renewals).' })
  count!: number;

  @Field(() => MoneyType, { description: "The fees, in the partner's currency (the plans' price; exact, no rounding)." })
  value!: MoneyType;
}

@ObjectType('SettlementStatement', {
  description: `A partner's settlement for a period [from, to), in the partner's currency, priced with the snapshots taken when each posting was made (later changes of terms never reprice it). ${ROUNDING} net = issuedValue − reimbursementValue; roundingRemainder = (issuedValueExact − reimbursementValueExact) − net, the part rounding moved (at most one minor unit in size), which the coalition keeps and reports, so nothing is lost.`,
})
export class SettlementStatementType {
  @Field(() => PartnerRefType)
  partner!: PartnerRefType;

  @Field(() => String, { description: 'Net points issued by this partner in the period: earned − refunded − clawed back.' })
  pointsIssued!: string;

  @Field(() => MoneyType, { description: 'What the partner owes the coalition for them (issue price in force at each earn).' })
  issuedValue!: MoneyType;

  @Field(() => String, { description: 'Net points honoured (redeemed at this partner) in the period: redeemed − returned.' })
  pointsHonoured!: string;

  @Field(() => MoneyType, { description: 'What the coalition owes the partner for them (reimbursement in force at each redemption).' })
  reimbursementValue!: MoneyType;

  @Field(() => MoneyType, { description: 'issuedValue − reimbursementValue. Positive: the partner owes the coalition.' })
  net!: MoneyType;

  @Field(() => String, { description: "ISO 4217 code of the partner's currency, in which every value here is expressed." })
  currency!: string;

  @Field(() => String, { description: 'Start of the period, inclusive, ISO 8601 UTC.' })
  from!: string;

  @Field(() => String, { description: 'End of the period, exclusive, ISO 8601 UTC.' })
  to!: string;

  @Field(() => String, { description: 'issuedValue before rounding, 6 decimals.' })
  issuedValueExact!: string;

  @Field(() => String, { description: 'reimbursementValue before rounding, 6 decimals.' })
  reimbursementValueExact!: string;

  @Field(() => String, { description: '(issuedValueExact − reimbursementValueExact) − net, 6 decimals: at most one minor unit in size (two lines each rounded by half a unit in opposite directions reach a whole one).' })
  roundingRemainder!: string;

  @Field(() => SettlementLineType, { description: 'Points earned at this partner (gross issue).' })
  earned!: SettlementLineType;

  @Field(() => SettlementLineType, { description: 'Points given back by refunds of its earns (at the earn\'s price).' })
  refunded!: SettlementLineType;

  @Field(() => SettlementLineType, { description: 'Refunded points members had already spent, recovered later as clawbacks (at the earn\'s price).' })
  clawedBack!: SettlementLineType;

  @Field(() => SettlementLineType, { description: 'Points redeemed at this partner (gross).' })
  redeemed!: SettlementLineType;

  @Field(() => SettlementLineType, { description: 'Redemptions at this partner that were reversed (returns).' })
  returned!: SettlementLineType;

  @Field(() => SettlementLineType, {
    description: "Breakage: points this partner issued that expired in the period, less expired points a refund took back, at the issue price they were bought at. Paid for and never honoured: the coalition keeps it; it is not part of net.",
  })
  breakage!: SettlementLineType;

  @Field(() => SettlementLineType, {
    description: 'Points this partner issued that members donated to charities in the period (from its lots, oldest first), at the issue price they were bought at. Paid for and never honoured by a partner: not part of net (the charity is paid by the coalition, see donationReport).',
  })
  donated!: SettlementLineType;

  @Field(() => SettlementLineType, { description: 'Goodwill and campaign points this partner granted or was billed for (grantPoints, bulk grants), at its issue price: part of pointsIssued.' })
  granted!: SettlementLineType;

  @Field(() => SettlementLineType, { description: 'Welcome, referral and birthday bonuses this partner paid for, at its issue price: part of pointsIssued.' })
  bonuses!: SettlementLineType;

  @Field(() => SettlementLineType, {
    description: 'Points this partner issued that members cashed out in the period (net of failed payouts given back), at the issue price they were bought at. The coalition pays the member, as if it had honoured them: not part of net.',
  })
  cashedOut!: SettlementLineType;

  @Field(() => SettlementLineType, {
    description: "Points the coalition's marketing budget issued that were honoured here, at this partner's reimbursement: part of pointsHonoured (honouredByIssuer + this = pointsHonoured).",
  })
  honouredFromCoalition!: SettlementLineType;

  @Field(() => [SettlementFlowType], { description: 'Points honoured here, by the partner that issued them (with honouredFromCoalition, sums to pointsHonoured).' })
  honouredByIssuer!: SettlementFlowType[];

  @Field(() => [SettlementFlowType], { description: "This partner's points honoured in the period, by the partner that honoured them (itself included)." })
  issuedHonouredBy!: SettlementFlowType[];

  @Field(() => String, { description: 'Points moved in the period by transactions written before price snapshots existed; valued at zero.' })
  unpricedPoints!: string;

  @Field(() => MembershipFeesType, { description: 'Paid memberships this partner sold in the period: fees it collected for the coalition and owes. Not part of net (net stays the points position).' })
  membershipFees!: MembershipFeesType;

  @Field(() => MoneyType, { description: 'net + membershipFees.value: everything the partner owes the coalition for the period (negative: the coalition owes the partner).' })
  totalOwed!: MoneyType;
}

@ObjectType('CurrencySettlementTotal', { description: 'All partners selling in one currency, netted: sums of their statements (rounded lines, exact lines and remainders).' })
export class CurrencySettlementTotalType {
  @Field(() => String)
  currency!: string;

  @Field(() => String)
  pointsIssued!: string;

  @Field(() => MoneyType, { description: "Sum of the partners' rounded issuedValue." })
  issuedValue!: MoneyType;

  @Field(() => String)
  issuedValueExact!: string;

  @Field(() => String)
  pointsHonoured!: string;

  @Field(() => MoneyType)
  reimbursementValue!: MoneyType;

  @Field(() => String)
  reimbursementValueExact!: string;

  @Field(() => SettlementLineType)
  breakage!: SettlementLineType;

  @Field(() => SettlementLineType)
  donated!: SettlementLineType;

  @Field(() => MoneyType, { description: 'Sum of the partners\' net: what partners in this currency owe the coalition, net.' })
  net!: MoneyType;

  @Field(() => String, { description: "Sum of the partners' rounding remainders: issuedValueExact − reimbursementValueExact − net." })
  roundingRemainder!: string;

  @Field(() => MembershipFeesType, { description: "Sum of the partners' membership fees." })
  membershipFees!: MembershipFeesType;

  @Field(() => MoneyType, { description: "Sum of the partners' totalOwed: net + membership fees." })
  totalOwed!: MoneyType;
}

@ObjectType('CoalitionIssuance', {
  description: "The coalition's marketing budget as an issuer in the period, in the coalition's currency at the price each point was issued at: what it gave (granted, bonuses, coalition-funded earn awards) and what became of its points.",
})
export class CoalitionIssuanceType {
  @Field(() => String)
  currency!: string;

  @Field(() => SettlementLineType, { description: 'granted + bonuses + earnAwards.' })
  issued!: SettlementLineType;

  @Field(() => SettlementLineType)
  granted!: SettlementLineType;

  @Field(() => SettlementLineType)
  bonuses!: SettlementLineType;

  @Field(() => SettlementLineType, { description: 'Coalition-funded awards inside partners\' earns.' })
  earnAwards!: SettlementLineType;

  @Field(() => SettlementLineType, { description: 'Its points honoured by partners (each partner is reimbursed as for any point: its honouredFromCoalition).' })
  honoured!: SettlementLineType;

  @Field(() => SettlementLineType)
  breakage!: SettlementLineType;

  @Field(() => SettlementLineType)
  donated!: SettlementLineType;

  @Field(() => SettlementLineType)
  cashedOut!: SettlementLineType;
}

@ObjectType('CoalitionSettlement', { description: 'The coalition-wide statement for [from, to): every partner with activity, and totals per currency.' })
export class CoalitionSettlementType {
  @Field(() => String)
  from!: string;

  @Field(() => String)
  to!: string;

  @Field(() => String, { description: 'Points issued by all partners, net (equals the points honoured, expired and donated plus the change in points members hold).' })
  pointsIssued!: string;

  @Field(() => String)
  pointsHonoured!: string;

  @Field(() => String)
  pointsExpired!: string;

  @Field(() => String, { description: 'Points members donated to charities in the period (all issuers).' })
  pointsDonated!: string;

  @Field(() => String, {
    description: "Points the coalition's marketing budget issued in the period (grants, bonuses, coalition-funded earn awards). pointsIssued + pointsIssuedByCoalition − pointsHonoured − pointsExpired − pointsDonated − pointsCashedOut = the change in what members hold.",
  })
  pointsIssuedByCoalition!: string;

  @Field(() => String, { description: 'Points members cashed out in the period (all issuers), net of failed payouts given back.' })
  pointsCashedOut!: string;

  @Field(() => CoalitionIssuanceType, { nullable: true, description: "The marketing budget's lines; null when it issued nothing and none of its points moved." })
  coalitionIssuance!: CoalitionIssuanceType | null;

  @Field(() => [SettlementLineType], { description: 'Cashback owed to members, per currency: points cashed out and the money they are worth (CASHOUT_POINT_VALUE when requested).' })
  cashouts!: SettlementLineType[];

  @Field(() => [MembershipFeesType], { description: "Paid memberships the coalition sold itself (recorded by the admin without a till) in the period, per currency: its revenue, owed by no partner. Sales at partners' tills are in their statements' membershipFees." })
  membershipFeesCollected!: MembershipFeesType[];

  @Field(() => [SettlementStatementType])
  statements!: SettlementStatementType[];

  @Field(() => [CurrencySettlementTotalType])
  totals!: CurrencySettlementTotalType[];
}

@ObjectType('PointsLiability', {
  description: 'Outstanding points one partner issued (members still hold them), valued at the issue price they were bought at and at the partner\'s reimbursement in force now, with points that expired from its lots in the period.',
})
export class PointsLiabilityType {
  @Field(() => PartnerRefType)
  partner!: PartnerRefType;

  @Field(() => String, { nullable: true })
  currency!: string | null;

  @Field(() => String)
  outstandingPoints!: string;

  @Field(() => MoneyType, { nullable: true, description: 'At the issue price of each lot (null without a currency).' })
  issueValue!: MoneyType | null;

  @Field(() => MoneyType, { nullable: true, description: "At the issuer's reimbursement in force now: what honouring them all would cost." })
  redemptionValue!: MoneyType | null;

  @Field(() => String, { description: 'Points that expired from this partner\'s lots in [from, to).' })
  expiredPoints!: string;
}

@ObjectType('PointsAgeingBucket', { description: 'Outstanding points of one issuing partner that expire in one calendar month (UTC).' })
export class PointsAgeingBucketType {
  @Field(() => PartnerRefType)
  partner!: PartnerRefType;

  @Field(() => String, { description: 'YYYY-MM, UTC.' })
  expiryMonth!: string;

  @Field(() => String)
  points!: string;
}

@ObjectType('PointsProvenance', { description: "Points of one issuing partner's lots that a transaction drew on (negative) or gave back (positive)." })
export class PointsProvenanceType {
  @Field(() => PartnerRefType, { description: 'The partner that issued the points.' })
  issuer!: PartnerRefType;

  @Field(() => Int)
  points!: number;
}

const partnerRef = (id: string): PartnerRefType => Object.assign(new PartnerRefType(), { id });

function amount(micros: bigint, currency: string): MoneyType {
  return money(formatMicros(micros, currencyExponent(currency)), currency);
}

const exact = (micros: bigint): string => formatMicros(micros, VALUE_SCALE);

function lineType(p: PointsAndValue, currency: string): SettlementLineType {
  return { points: p.points.toString(), value: amount(p.value.rounded, currency), exactValue: exact(p.value.exact) };
}

function flowType(f: Flow, currency: string): SettlementFlowType {
  return { partner: partnerRef(f.partnerId), points: f.points.toString(), value: amount(f.value.rounded, currency), exactValue: exact(f.value.exact) };
}

export function toStatementType(s: Statement): SettlementStatementType {
  const c = s.currency;
  return {
    partner: partnerRef(s.partnerId),
    pointsIssued: s.issued.points.toString(),
    issuedValue: amount(s.issued.value.rounded, c),
    pointsHonoured: s.honoured.points.toString(),
    reimbursementValue: amount(s.honoured.value.rounded, c),
    net: amount(s.net, c),
    currency: c,
    from: s.period.from.toISOString(),
    to: s.period.to.toISOString(),
    issuedValueExact: exact(s.issued.value.exact),
    reimbursementValueExact: exact(s.honoured.value.exact),
    roundingRemainder: exact(s.roundingRemainder),
    earned: lineType(s.earned, c),
    refunded: lineType(s.refunded, c),
    clawedBack: lineType(s.clawedBack, c),
    redeemed: lineType(s.redeemed, c),
    returned: lineType(s.returned, c),
    breakage: lineType(s.breakage, c),
    donated: lineType(s.donated, c),
    granted: lineType(s.granted, c),
    bonuses: lineType(s.bonuses, c),
    cashedOut: lineType(s.cashedOut, c),
    honouredFromCoalition: lineType(s.honouredFromCoalition, c),
    honouredByIssuer: s.honouredByIssuer.map((f) => flowType(f, c)),
    issuedHonouredBy: s.issuedHonouredBy.map((f) => flowType(f, c)),
    unpricedPoints: s.unpricedPoints.toString(),
    membershipFees: { count: s.membershipFees.count, value: amount(s.membershipFees.value.rounded, c) },
    totalOwed: amount(s.totalOwed, c),
  };
}

export function toCurrencyTotalType(t: CurrencyTotal): CurrencySettlementTotalType {
  const c = t.currency;
  return {
    currency: c,
    pointsIssued: t.issued.points.toString(),
    issuedValue: amount(t.issued.value.rounded, c),
    issuedValueExact: exact(t.issued.value.exact),
    pointsHonoured: t.honoured.points.toString(),
    reimbursementValue: amount(t.honoured.value.rounded, c),
    reimbursementValueExact: exact(t.honoured.value.exact),
    breakage: lineType(t.breakage, c),
    donated: lineType(t.donated, c),
    net: amount(t.net, c),
    roundingRemainder: exact(t.roundingRemainder),
    membershipFees: { count: t.membershipFees.count, value: amount(t.membershipFees.value.rounded, c) },
    totalOwed: amount(t.totalOwed, c),
  };
}

export function toLiabilityType(l: LiabilityLine): PointsLiabilityType {
  const value = (v: RoundedValue | null) => (v && l.currency ? amount(v.rounded, l.currency) : null);
  return {
    partner: partnerRef(l.partnerId),
    currency: l.currency,
    outstandingPoints: l.outstandingPoints.toString(),
    issueValue: value(l.issueValue),
    redemptionValue: value(l.redemptionValue),
    expiredPoints: l.expiredPoints.toString(),
  };
}

export function toAgeingType(b: AgeingBucket): PointsAgeingBucketType {
  return { partner: partnerRef(b.partnerId), expiryMonth: b.month, points: b.points.toString() };
}

export function toCoalitionIssuanceType(p: CoalitionPosition): CoalitionIssuanceType | null {
  if (!p.currency) return null;
  const c = p.currency;
  return {
    currency: c,
    issued: lineType(p.issued, c),
    granted: lineType(p.granted, c),
    bonuses: lineType(p.bonuses, c),
    earnAwards: lineType(p.earnAwards, c),
    honoured: lineType(p.honoured, c),
    breakage: lineType(p.breakage, c),
    donated: lineType(p.donated, c),
    cashedOut: lineType(p.cashedOut, c),
  };
}

export function toCashoutLineType(t: CashoutTotal): SettlementLineType {
  return lineType({ points: t.points, value: t.value }, t.currency);
}
