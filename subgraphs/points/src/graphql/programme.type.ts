import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { type Tier } from '../domain/tier.rules';
import { type Campaign } from '../domain/campaign.rules';
import { formatMultiplier } from '../services/programme.service';
import { type TierOverrideRow } from '../persistence/tier-status.repository';

@ObjectType('Tier')
export class TierType {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Qualifying points needed (rolling 12 months).' })
  threshold!: string;

  @Field(() => String, { description: 'Earn multiplier, for example "1.25".' })
  multiplier!: string;
}

@InputType('TierInput')
export class TierInput {
  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: 'Qualifying points needed; the first tier must be 0.' })
  threshold!: number;

  @Field(() => String, { description: 'Between "1" and "10", at most 3 decimals.' })
  multiplier!: string;
}

@InputType('ConfigureTiersInput')
export class ConfigureTiersInput {
  @Field(() => [TierInput], { description: 'The whole table, lowest first; replaces the current one.' })
  tiers!: TierInput[];
}

@ObjectType('ConfigureTiersPayload')
export class ConfigureTiersPayload {
  @Field(() => [TierType])
  tiers!: TierType[];
}

@ObjectType('Campaign', { description: 'A time-boxed earn promotion: a multiplier, fixed bonus points, or both.' })
export class CampaignType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'The partner it applies to; null: every partner.' })
  partnerId!: string | null;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  multiplier!: string;

  @Field(() => Int)
  bonusPoints!: number;

  @Field(() => String)
  startsAt!: string;

  @Field(() => String)
  endsAt!: string;
}

@InputType('CreateCampaignInput')
export class CreateCampaignInput {
  @Field(() => String)
  name!: string;

  @Field(() => ID, { nullable: true, description: 'Admin only: the partner (omit for all partners). A partner always runs its own.' })
  partnerId?: string | null;

  @Field(() => String, { nullable: true, description: 'For example "2" for double points; default "1".' })
  multiplier?: string | null;

  @Field(() => Int, { nullable: true, description: 'Fixed points added to each earn; default 0.' })
  bonusPoints?: number | null;

  @Field(() => String, { description: 'ISO 8601 with a zone.' })
  startsAt!: string;

  @Field(() => String, { description: 'ISO 8601 with a zone; after startsAt.' })
  endsAt!: string;
}

@ObjectType('CreateCampaignPayload')
export class CreateCampaignPayload {
  @Field(() => CampaignType)
  campaign!: CampaignType;
}

export function toTierType(tier: Tier): TierType {
  return Object.assign(new TierType(), { name: tier.name, threshold: tier.threshold.toString(), multiplier: formatMultiplier(tier.multiplierMilli) });
}

export function toCampaignType(c: Campaign): CampaignType {
  return Object.assign(new CampaignType(), {
    id: c.id,
    partnerId: c.partnerId,
    name: c.name,
    multiplier: formatMultiplier(c.multiplierMilli),
    bonusPoints: Number(c.bonusPoints),
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt.toISOString(),
  });
}

@ObjectType('LedgerCheck', { description: "The ledger proved from its own rows. Counts are strings (they can pass 2^31)." })
export class LedgerCheckType {
  @Field(() => Boolean, { description: 'True when every count below but the totals is zero.' })
  ok!: boolean;

  @Field(() => String)
  transactions!: string;

  @Field(() => String)
  postings!: string;

  @Field(() => String, { description: 'Transactions whose postings do not sum to zero.' })
  unbalancedTransactions!: string;

  @Field(() => String, { description: 'Maintained balances that differ from the sum of their postings.' })
  balanceDrift!: string;

  @Field(() => String, { description: 'Member accounts whose open lots do not sum to the balance.' })
  lotDrift!: string;

  @Field(() => String, { description: 'Member accounts whose pending points differ from their open holds.' })
  pendingDrift!: string;

  @Field(() => String, { description: 'Transactions whose points differ from what they moved on member accounts.' })
  pointsMismatch!: string;
}

@InputType('OverrideMemberTierInput')
export class OverrideMemberTierInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String, { description: 'A tier of the table, by name.' })
  tier!: string;

  @Field(() => String, { description: 'ISO 8601 with a zone, exclusive, in the future: the override ends then and the usual rules apply again.' })
  endsAt!: string;

  @Field(() => String, { description: 'Why (shown to the member while it lasts; kept in the audit log).' })
  reason!: string;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('TierOverride', { description: "An admin's override of a member's tier." })
export class TierOverrideType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  tier!: string;

  @Field(() => String, { description: 'ISO 8601, UTC, exclusive.' })
  endsAt!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  createdAt!: string;
}

@ObjectType('OverrideMemberTierPayload')
export class OverrideMemberTierPayload {
  @Field(() => TierOverrideType)
  override!: TierOverrideType;
}

export function toTierOverrideType(r: TierOverrideRow): TierOverrideType {
  return { id: r.id, memberId: r.member_id, tier: r.tier_name, endsAt: r.ends_at.toISOString(), reason: r.reason, createdAt: r.created_at.toISOString() };
}
