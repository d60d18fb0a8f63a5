import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { formatMoney, MoneyType, money, trimDecimal } from '../../../../lib/src';
import { formatMultiplier } from '../services/programme.service';
import { type Award } from '../domain/award.rules';
import { type AccountEntity, type TransactionEntity } from '../persistence/ledger.entity';

@ObjectType('PointsAccount', { description: "A member's points. A partner with members:lookup sees only `available`." })
export class PointsAccountType {
  @Field(() => Int, { description: 'Balance minus open holds: what can be spent now.' })
  available!: number;

  /** Resolved by PointsAccountResolver, which hides them from lookup-only viewers. */
  memberId!: string;
  postedBalance!: number;
  heldPoints!: number;
  view!: 'full' | 'available';
}

/** Member as the points subgraph sees it: an id and its points. */
@Directive('@key(fields: "id")')
@ObjectType('Member')
export class PointsMemberType {
  @Field(() => ID)
  id!: string;
}

/** The partners subgraph's Partner, which this subgraph extends with the partner's own transactions. */
@Directive('@key(fields: "id")')
@ObjectType('Partner')
export class PartnerRefType {
  @Field(() => ID)
  id!: string;
}

export enum PointsTransactionKind {
  EARN = 'EARN',
  REDEEM = 'REDEEM',
  REVERSAL = 'REVERSAL',
  EXPIRY = 'EXPIRY',
  DONATION = 'DONATION',
  CLAWBACK = 'CLAWBACK',
  /** Goodwill or campaign points granted without a purchase (grantPoints, bulk grants). */
  GRANT = 'GRANT',
  /** A welcome, referral or birthday bonus. */
  BONUS = 'BONUS',
  /** Points turned into money (requestCashout). */
  CASHOUT = 'CASHOUT',
  /** A failed payout's points given back. */
  CASHOUT_RETURN = 'CASHOUT_RETURN',
  /** A duplicate member's points moving to the member it was merged into (one on each side). */
  MERGE = 'MERGE',
  /** Points given to (negative) or received from (positive) another member of the household (transferPoints). */
  TRANSFER = 'TRANSFER',
}
registerEnumType(PointsTransactionKind, { name: 'PointsTransactionKind' });

@ObjectType('PointsTransaction', { description: 'One ledger transaction as it affects a member.' })
export class PointsTransactionType {
  @Field(() => ID)
  id!: string;

  @Field(() => PointsTransactionKind)
  kind!: PointsTransactionKind;

  @Field(() => Int, { description: 'Points added to (positive) or taken from (negative) the member.' })
  points!: number;

  @Field(() => String, { description: "The partner's own reference, for example a receipt number." })
  reference!: string;

  @Field(() => PartnerRefType, { nullable: true })
  partner!: PartnerRefType | null;

  @Field(() => MoneyType, { nullable: true, description: 'The purchase an earn was for.' })
  purchase!: MoneyType | null;

  @Field(() => String, { nullable: true, description: 'Points per currency unit applied to an earn.' })
  earnRate!: string | null;

  @Field(() => Int, { nullable: true, description: 'An earn: points from the purchase at the earn rate, before tier and campaigns.' })
  basePoints!: number | null;

  @Field(() => String, { nullable: true, description: "An earn: the member's tier multiplier applied, for example \"1.25\"." })
  tierMultiplier!: string | null;

  @Field(() => Int, { nullable: true, description: 'An earn: points added by campaigns.' })
  campaignBonus!: number | null;

  @Field(() => ID, { nullable: true, description: 'A reversal: the transaction it reverses.' })
  reverses!: string | null;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  createdAt!: string;

  /** The price snapshot, resolved by TransactionEconomicsResolver for the partner and the admin only. */
  unitPrice?: string | null;
  /** Awards already at hand (an earn's answer); else TransactionAwardsResolver loads them. */
  awards?: Award[];
  priceCurrency?: string | null;
}

@ObjectType('EarnPointsPayload')
export class EarnPointsPayload {
  @Field(() => PointsTransactionType)
  transaction!: PointsTransactionType;

  /** Resolved by EarnAwardsResolver (award.resolver.ts): why the member got each point. */
  awards!: Award[];
}

export const toInt = (value: string | bigint): number => {
  const n = BigInt(value);
  if (n > 2_147_483_647n || n < -2_147_483_648n) throw new RangeError('points exceed the Int range');
  return Number(n);
};

export function toAccountType(memberId: string, account: AccountEntity | null, view: 'full' | 'available'): PointsAccountType {
  const balance = BigInt(account?.balance ?? 0);
  const pending = BigInt(account?.pending ?? 0);
  return Object.assign(new PointsAccountType(), { memberId, postedBalance: toInt(balance), heldPoints: toInt(pending), available: toInt(balance - pending), view });
}

export function toTransactionType(row: TransactionEntity): PointsTransactionType {
  return Object.assign(new PointsTransactionType(), {
    id: row.id,
    kind: row.kind as PointsTransactionKind,
    points: toInt(row.points),
    reference: row.reference,
    partner: row.partnerId ? Object.assign(new PartnerRefType(), { id: row.partnerId }) : null,
    purchase:
      row.purchaseMinor && row.purchaseCurrency
        ? (() => {
            const m = formatMoney({ minor: BigInt(row.purchaseMinor), currency: row.purchaseCurrency });
            return money(m.amount, m.currency);
          })()
        : null,
    earnRate: row.earnRate ? trimDecimal(row.earnRate, 0) : null,
    basePoints: row.basePoints === null ? null : toInt(row.basePoints),
    tierMultiplier: row.tierMultiplierMilli === null ? null : formatMultiplier(BigInt(row.tierMultiplierMilli)),
    campaignBonus: row.campaignBonus === null ? null : toInt(row.campaignBonus),
    reverses: row.reverses,
    createdAt: row.createdAt.toISOString(),
    unitPrice: row.unitPrice,
    priceCurrency: row.priceCurrency,
  });
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@ObjectType('PointsHistory', { description: 'A page of transactions, newest first.' })
export class PointsHistoryType {
  @Field(() => [PointsTransactionType])
  nodes!: PointsTransactionType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@ObjectType('ExpiringPoints')
export class ExpiringPointsType {
  @Field(() => Int)
  points!: number;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  expiresAt!: string;
}

export enum TierKeptBy {
  /** The member's qualifying points reach the tier now. */
  QUALIFYING = 'QUALIFYING',
  /** A tier reached lasts until the end of the next calendar year, then steps down one level per year. */
  RETENTION = 'RETENTION',
  /** The admin set it, with an end date and a reason. */
  OVERRIDE = 'OVERRIDE',
  /** A paid membership's tier floor, while the membership runs (tierEndsAt: its period's end). */
  MEMBERSHIP = 'MEMBERSHIP',
}
registerEnumType(TierKeptBy, { name: 'TierKeptBy' });

@ObjectType('MemberTier')
export class MemberTierType {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Earn multiplier, for example "1.25".' })
  multiplier!: string;

  @Field(() => String, { description: 'Points earned in the last 12 months, not counting reversed earns.' })
  qualifyingPoints!: string;

  @Field(() => String, { nullable: true })
  nextTier!: string | null;

  @Field(() => String, { description: 'Qualifying points still needed for the next tier; "0" at the top.' })
  pointsToNextTier!: string;

  @Field(() => TierKeptBy, { description: 'What keeps the member in this tier now: qualifying points, retention of a tier reached, or an override.' })
  keptBy!: TierKeptBy;

  @Field(() => String, {
    nullable: true,
    description: 'ISO 8601, UTC, exclusive: when this tier ends unless qualifying points (or a new override) keep it; then at most one level down. Null: the lowest tier, which never ends.',
  })
  tierEndsAt!: string | null;

  @Field(() => String, { description: 'Qualifying points still needed to hold this tier by qualifying alone; "0" when they already do.' })
  pointsToKeep!: string;

  @Field(() => String, { description: 'The tier the qualifying points alone give.' })
  qualifyingTier!: string;

  @Field(() => String, { nullable: true, description: "The admin's reason, while an override keeps the tier." })
  overrideReason!: string | null;
}

