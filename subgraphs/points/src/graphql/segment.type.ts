import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { formatMoney, MoneyInput, MoneyType } from '../../../../lib/src';
import { type SegmentRule } from '../domain/segment.rules';
import { type SegmentRow } from '../persistence/segments.repository';
import { PartnerRefType } from './points.type';

@InputType('SegmentActivityInput', { description: 'Spend or visits over the last periodDays days: minVisits, minSpend or both must be reached.' })
export class SegmentActivityInput {
  @Field(() => ID, { nullable: true, description: "At this partner. A partner's segment: its own only (omit it). The admin: omit for every partner." })
  partnerId?: string | null;

  @Field(() => String, { nullable: true, description: "Only earns whose basket had lines of this category (case-insensitive), and those lines' amount as spend." })
  category?: string | null;

  @Field(() => Int, { description: '1 to 730 days, up to now (database clock).' })
  periodDays!: number;

  @Field(() => Int, { nullable: true, description: 'At least this many earns (not reversed) in the period.' })
  minVisits?: number | null;

  @Field(() => MoneyInput, { nullable: true, description: 'At least this much spent (earns not reversed) in the period, counting purchases in this currency only.' })
  minSpend?: MoneyInput | null;
}

@InputType('SegmentLastActivityInput', { description: 'When the member last earned or spent points: withinDays, notWithinDays or both.' })
export class SegmentLastActivityInput {
  @Field(() => ID, { nullable: true, description: "At this partner. A partner's segment: its own only (omit it). The admin: omit for any partner." })
  partnerId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Active within the last N days (1 to 730).' })
  withinDays?: number | null;

  @Field(() => Int, { nullable: true, description: 'Not active in the last N days (lapsed; a member never active counts as lapsed).' })
  notWithinDays?: number | null;
}

@InputType('SegmentRuleInput', { description: 'Every criterion given must hold; at least one.' })
export class SegmentRuleInput {
  @Field(() => [String], { nullable: true, description: "The member's tier now is one of these (names as in Member.points.tier.name; an unknown name matches no one)." })
  tiers?: string[] | null;

  @Field(() => [Int], { nullable: true, description: 'Birth month, 1 to 12.' })
  birthMonths?: number[] | null;

  @Field(() => [String], { nullable: true, description: 'City of the store the member enrolled at (case-insensitive).' })
  enrolledCities?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'The member consents to marketing (true) or not (false).' })
  marketingConsent?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'The member consents to partner data sharing (true) or not (false).' })
  partnerDataSharing?: boolean | null;

  @Field(() => [SegmentActivityInput], { nullable: true, description: 'At most 10; each must hold.' })
  activity?: SegmentActivityInput[] | null;

  @Field(() => SegmentLastActivityInput, { nullable: true })
  lastActivity?: SegmentLastActivityInput | null;
}

@InputType('CreateSegmentInput')
export class CreateSegmentInput {
  @Field(() => ID, { nullable: true, description: "The admin: the partner the segment is for, or omit for the coalition's. A partner: omit (its own) or name itself." })
  partnerId?: string | null;

  @Field(() => String, { description: '1 to 120 characters.' })
  name!: string;

  @Field(() => SegmentRuleInput)
  rule!: SegmentRuleInput;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('SegmentActivity')
export class SegmentActivityType {
  @Field(() => PartnerRefType, { nullable: true, description: 'Null: at any partner.' })
  partner!: PartnerRefType | null;

  @Field(() => String, { nullable: true })
  category!: string | null;

  @Field(() => Int)
  periodDays!: number;

  @Field(() => Int, { nullable: true })
  minVisits!: number | null;

  @Field(() => MoneyType, { nullable: true })
  minSpend!: MoneyType | null;
}

@ObjectType('SegmentLastActivity')
export class SegmentLastActivityType {
  @Field(() => PartnerRefType, { nullable: true, description: 'Null: at any partner.' })
  partner!: PartnerRefType | null;

  @Field(() => Int, { nullable: true })
  withinDays!: number | null;

  @Field(() => Int, { nullable: true })
  notWithinDays!: number | null;
}

@ObjectType('SegmentRule', { description: 'Every criterion given holds for a member of the segment.' })
export class SegmentRuleType {
  @Field(() => [String], { nullable: true })
  tiers!: string[] | null;

  @Field(() => [Int], { nullable: true })
  birthMonths!: number[] | null;

  @Field(() => [String], { nullable: true, description: 'Lower case.' })
  enrolledCities!: string[] | null;

  @Field(() => Boolean, { nullable: true })
  marketingConsent!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  partnerDataSharing!: boolean | null;

  @Field(() => [SegmentActivityType])
  activity!: SegmentActivityType[];

  @Field(() => SegmentLastActivityType, { nullable: true })
  lastActivity!: SegmentLastActivityType | null;
}

@ObjectType('Segment', {
  description:
    "A rule over what the hub knows of members (tier, birthday month, city of the enrolling store, spend and visits, last activity, consents), evaluated when asked. A partner's or the coalition's; offers can target it (Offer.segmentId).",
})
export class SegmentType {
  @Field(() => ID)
  id!: string;

  @Field(() => PartnerRefType, { nullable: true, description: "The partner whose segment it is; null: the coalition's (any partner's offers may target it)." })
  partner!: PartnerRefType | null;

  @Field(() => String)
  name!: string;

  @Field(() => SegmentRuleType, { nullable: true, description: "The admin and the owning partner; null for a partner reading the coalition's." })
  rule!: SegmentRuleType | null;

  @Field(() => String)
  createdAt!: string;

  row!: SegmentRow;
}

@ObjectType('SegmentPayload')
export class SegmentPayload {
  @Field(() => SegmentType)
  segment!: SegmentType;
}

@ObjectType('MemberOffer', { description: 'A published offer the member can activate now (activateOffer), or has activated.' })
export class MemberOfferType {
  @Field(() => ID)
  offerId!: string;

  @Field(() => PartnerRefType)
  partner!: PartnerRefType;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { description: 'MULTIPLIER or BONUS_POINTS.' })
  kind!: string;

  @Field(() => Int, { nullable: true, description: 'BONUS_POINTS: what it adds.' })
  points!: number | null;

  @Field(() => String, { nullable: true, description: 'MULTIPLIER: times the usual points.' })
  multiplier!: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601, UTC, exclusive; null: open-ended.' })
  validTo!: string | null;

  @Field(() => String, { nullable: true })
  minTier!: string | null;

  @Field(() => Int, { description: 'How many earns one activation applies to.' })
  usesPerMember!: number;

  @Field(() => Boolean, { description: 'A personal offer: for a segment the member is in (shown only while the member consents to marketing).' })
  personal!: boolean;

  @Field(() => Boolean, { description: 'The member has activated it already.' })
  activated!: boolean;
}

const partnerRef = (id: string | null): PartnerRefType | null => (id === null ? null : Object.assign(new PartnerRefType(), { id }));

export function toSegmentRuleType(rule: SegmentRule): SegmentRuleType {
  return Object.assign(new SegmentRuleType(), {
    tiers: rule.tiers,
    birthMonths: rule.birthMonths,
    enrolledCities: rule.enrolledCities,
    marketingConsent: rule.marketingConsent,
    partnerDataSharing: rule.partnerDataSharing,
    activity: rule.activity.map((a) =>
      Object.assign(new SegmentActivityType(), {
        partner: partnerRef(a.partnerId),
        category: a.category,
        periodDays: a.periodDays,
        minVisits: a.minVisits,
        minSpend: a.minSpend && Object.assign(new MoneyType(), formatMoney(a.minSpend)),
      }),
    ),
    lastActivity: rule.lastActivity && Object.assign(new SegmentLastActivityType(), { ...rule.lastActivity, partner: partnerRef(rule.lastActivity.partnerId) }),
  });
}

export function toSegmentType(row: SegmentRow, showRule: boolean): SegmentType {
  return Object.assign(new SegmentType(), {
    id: row.id,
    partner: partnerRef(row.partnerId),
    name: row.name,
    rule: showRule ? toSegmentRuleType(row.rule) : null,
    createdAt: row.createdAt.toISOString(),
    row,
  });
}
