import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { CharityType } from './charity.type';
import { GivingPartnerRef } from './partner-ref.type';

export enum PledgeAccrualOutcome {
  ACCRUAL = 'ACCRUAL',
  REVERSAL = 'REVERSAL',
  NO_PLEDGE = 'NO_PLEDGE',
}
registerEnumType(PledgeAccrualOutcome, { name: 'PledgeAccrualOutcome' });

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

@InputType('RecordPledgeAccrualsInput')
export class RecordPledgeAccrualsInput {
  @Field(() => [RecordPledgeAccrualInput], { description: '1 to 200 events, in the outbox order.' })
  events!: RecordPledgeAccrualInput[];
}

@ObjectType('RecordPledgeAccrualPayload')
export class RecordPledgeAccrualPayload {
  @Field(() => ID)
  eventId!: string;

  @Field(() => PledgeAccrualOutcome)
  outcome!: PledgeAccrualOutcome;
}

@ObjectType('RecordPledgeAccrualsPayload')
export class RecordPledgeAccrualsPayload {
  @Field(() => [RecordPledgeAccrualPayload], { description: 'One per event, in the order given.' })
  results!: RecordPledgeAccrualPayload[];
}
