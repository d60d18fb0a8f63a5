import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type Funding } from '../persistence/funding.repository';
import { PartnerRefType } from './points.type';

export enum FundingMode {
  POSTPAID = 'POSTPAID',
  PREPAID = 'PREPAID',
}
registerEnumType(FundingMode, {
  name: 'FundingMode',
  description: 'POSTPAID: issued points are settled per period. PREPAID: earns draw on a block of points bought in advance; an earn beyond it fails with PREPAID_BLOCK_EXHAUSTED.',
});

@ObjectType('PartnerFunding', { description: "How a partner pays for the points it issues. The partner itself and the admin." })
export class PartnerFundingType {
  @Field(() => PartnerRefType)
  partner!: PartnerRefType;

  @Field(() => FundingMode)
  mode!: FundingMode;

  @Field(() => String, { description: 'Points left in the prepaid block.' })
  blockRemaining!: string;

  @Field(() => String, { description: 'The partner is warned (lowBalance) when blockRemaining is at or below this.' })
  lowBalanceThreshold!: string;

  @Field(() => Boolean, { description: 'PREPAID and blockRemaining <= lowBalanceThreshold.' })
  lowBalance!: boolean;
}

@InputType('ConfigurePartnerFundingInput')
export class ConfigurePartnerFundingInput {
  @Field(() => ID)
  partnerId!: string;

  @Field(() => FundingMode)
  mode!: FundingMode;

  @Field(() => Int, { nullable: true, description: 'Points; unchanged when omitted (0 for a new partner).' })
  lowBalanceThreshold?: number | null;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}

@InputType('TopUpPrepaidBlockInput')
export class TopUpPrepaidBlockInput {
  @Field(() => ID)
  partnerId!: string;

  @Field(() => Int, { description: 'Points added to the block; the issue price in force is recorded with them.' })
  points!: number;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}

@ObjectType('PartnerFundingPayload')
export class PartnerFundingPayload {
  @Field(() => PartnerFundingType)
  funding!: PartnerFundingType;
}

export function toFundingType(f: Funding): PartnerFundingType {
  return {
    partner: Object.assign(new PartnerRefType(), { id: f.partnerId }),
    mode: f.mode as FundingMode,
    blockRemaining: f.blockRemaining.toString(),
    lowBalanceThreshold: f.lowBalanceThreshold.toString(),
    lowBalance: f.mode === 'PREPAID' && f.blockRemaining <= f.lowBalanceThreshold,
  };
}
