import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { currencyExponent, formatScaled, money, MoneyInput, MoneyType } from '../../../../lib/src';
import { membershipStatus, type MembershipStatus } from '../domain/membership.rules';
import { type MembershipView } from '../services/membership.service';
import { type MembershipRow, type PlanRow, type PurchaseRow } from '../persistence/memberships.repository';
import { formatMultiplier } from '../services/programme.service';
import { PartnerRefType, PointsMemberType } from './points.type';

export enum MembershipStatusEnum {
  ACTIVE = 'ACTIVE',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(MembershipStatusEnum, {
  name: 'MembershipStatus',
  description: 'ACTIVE until the period ends (a cancelled membership stays ACTIVE, with its perks, until then); then CANCELLED (it was cancelled) or EXPIRED (it was not renewed).',
});

@InputType('CreateMembershipPlanInput')
export class CreateMembershipPlanInput {
  @Field(() => String, { description: 'At most 100 characters, for example "VIP".' })
  name!: string;

  @Field(() => MoneyInput, { description: 'The fee for one period. Only partners selling in this currency can sell the plan.' })
  price!: MoneyInput;

  @Field(() => Int, { description: 'The period one purchase buys, in months (1 to 36).' })
  periodMonths!: number;

  @Field(() => String, { nullable: true, description: 'Perk: base points of every earn × this (from 1 to 10, 3 decimals, e.g. "1.5"), the extra paid by the coalition (award MEMBERSHIP). Default "1".' })
  earnMultiplier?: string | null;

  @Field(() => String, { nullable: true, description: "Perk: the lowest tier (a name in the tier table) the member holds while the membership is active. The part of the tier bonus the floor adds is paid by the coalition (award MEMBERSHIP)." })
  tierFloor?: string | null;

  @Field(() => Int, { nullable: true, description: 'Perk: points from the marketing budget in every month of membership (0 to 1000000), paid by the ledger sweeper. Default 0.' })
  monthlyBonusPoints?: number | null;

  @Field(() => Int, { nullable: true, description: "Perk: a member can activate partners' offers this many days (0 to 90) before their validFrom, and their earns apply them from then. Default 0." })
  earlyAccessDays?: number | null;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}

@ObjectType('MembershipPlan', { description: 'A paid membership plan: its price per period and its perks. Plans never change; a new offer is a new plan.' })
export class MembershipPlanType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => MoneyType, { description: 'The fee for one period.' })
  price!: MoneyType;

  @Field(() => Int)
  periodMonths!: number;

  @Field(() => String, { description: 'Base points × this on every earn, for example "1.5"; "1": no multiplier.' })
  earnMultiplier!: string;

  @Field(() => String, { nullable: true, description: 'The lowest tier a member holds while the membership is active.' })
  tierFloor!: string | null;

  @Field(() => Int, { description: 'Points in every month of membership.' })
  monthlyBonusPoints!: number;

  @Field(() => Int, { description: 'Days before an offer starts that a member can activate it.' })
  earlyAccessDays!: number;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  createdAt!: string;
}

@ObjectType('MembershipPlanPayload')
export class MembershipPlanPayload {
  @Field(() => MembershipPlanType)
  plan!: MembershipPlanType;
}

@ObjectType('Membership', {
  description: "A member's paid membership. The member and the admin see all of it; a partner with members:lookup sees a running one's plan, status and period end (cancelAtPeriodEnd, cancelledAt and startedAt are null for it).",
})
export class MembershipType {
  @Field(() => ID)
  id!: string;

  @Field(() => MembershipPlanType)
  plan!: MembershipPlanType;

  @Field(() => MembershipStatusEnum)
  status!: MembershipStatus;

  @Field(() => String, { description: 'When the period paid for ends (ISO 8601, UTC, exclusive): the perks last until then.' })
  currentPeriodEnd!: string;

  @Field(() => Boolean, { nullable: true, description: 'Cancelled: it ends at currentPeriodEnd. Buying again lifts the cancellation.' })
  cancelAtPeriodEnd!: boolean | null;

  @Field(() => String, { nullable: true })
  cancelledAt!: string | null;

  @Field(() => String, { nullable: true, description: 'When the current run began (a purchase after the end starts a new run).' })
  startedAt!: string | null;

  /** The plan to resolve (not a field). */
  planId!: string;
}

@InputType('PurchaseMembershipInput')
export class PurchaseMembershipInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => ID)
  planId!: string;

  @Field(() => String, { description: "The payment's reference at the till (1 to 255 characters); one sale per reference and seller." })
  paymentReference!: string;

  @Field(() => ID, { nullable: true, description: "Admin only: the partner whose till sold it (it collected the fee and owes it in its statement); none: sold by the coalition itself. A partner token sells at its own till." })
  partnerId?: string | null;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}

@ObjectType('MembershipPurchase', { description: 'One sale of a membership: the selling partner collected the fee for the coalition. The selling partner, the member and the admin see it.' })
export class MembershipPurchaseType {
  @Field(() => ID)
  id!: string;

  @Field(() => PointsMemberType)
  member!: PointsMemberType;

  @Field(() => MembershipPlanType)
  plan!: MembershipPlanType;

  @Field(() => PartnerRefType, { nullable: true, description: 'The seller; null: sold by the coalition itself.' })
  partner!: PartnerRefType | null;

  @Field(() => String)
  paymentReference!: string;

  @Field(() => MoneyType, { description: "The fee: the coalition's revenue, owed by the seller (settlement statement membershipFees)." })
  price!: MoneyType;

  @Field(() => String, { description: 'The period it bought: from (ISO 8601, UTC)...' })
  periodStart!: string;

  @Field(() => String, { description: '...to (exclusive).' })
  periodEnd!: string;

  @Field(() => Boolean, { description: 'It renewed a running membership (from its period end) rather than starting one.' })
  renewal!: boolean;

  @Field(() => String)
  createdAt!: string;

  planId!: string;
}

@ObjectType('PurchaseMembershipPayload')
export class PurchaseMembershipPayload {
  @Field(() => MembershipType)
  membership!: MembershipType;

  @Field(() => MembershipPurchaseType)
  purchase!: MembershipPurchaseType;
}

@InputType('CancelMembershipInput')
export class CancelMembershipInput {
  @Field(() => ID, { nullable: true, description: "The member: omitted by the member (their own); required for the admin." })
  memberId?: string | null;
}

@ObjectType('CancelMembershipPayload')
export class CancelMembershipPayload {
  @Field(() => MembershipType)
  membership!: MembershipType;
}

export function toPlanType(p: PlanRow): MembershipPlanType {
  return {
    id: p.id,
    name: p.name,
    price: money(formatScaled(p.priceMinor, currencyExponent(p.currency)), p.currency),
    periodMonths: p.periodMonths,
    earnMultiplier: formatMultiplier(p.earnMultiplierMilli),
    tierFloor: p.tierFloor,
    monthlyBonusPoints: Number(p.monthlyBonusPoints),
    earlyAccessDays: p.earlyAccessDays,
    createdAt: p.createdAt.toISOString(),
  };
}

/** A membership for the viewer: `full` false (a partner's till) hides what is the member's own business. */
export function toMembershipType(m: MembershipRow, full = true): MembershipType {
  return Object.assign(new MembershipType(), {
    id: m.id,
    planId: m.planId,
    status: membershipStatus(m.periodEnd, m.cancelAtPeriodEnd, m.readAt),
    currentPeriodEnd: m.periodEnd.toISOString(),
    cancelAtPeriodEnd: full ? m.cancelAtPeriodEnd : null,
    cancelledAt: full ? (m.cancelledAt?.toISOString() ?? null) : null,
    startedAt: full ? m.startedAt.toISOString() : null,
  });
}

export const toMembershipViewType = (v: MembershipView): MembershipType => toMembershipType(v.membership, v.full);

export function toPurchaseType(p: PurchaseRow): MembershipPurchaseType {
  return Object.assign(new MembershipPurchaseType(), {
    id: p.id,
    member: Object.assign(new PointsMemberType(), { id: p.memberId }),
    planId: p.planId,
    partner: p.partnerId ? Object.assign(new PartnerRefType(), { id: p.partnerId }) : null,
    paymentReference: p.paymentReference,
    price: money(formatScaled(p.priceMinor, currencyExponent(p.currency)), p.currency),
    periodStart: p.periodStart.toISOString(),
    periodEnd: p.periodEnd.toISOString(),
    renewal: p.renewal,
    createdAt: p.createdAt.toISOString(),
  });
}
