import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { formatMoney, money, MoneyType } from '../../../../lib/src';
import { type DonationEntity } from '../persistence/charity.entity';
import { CharityType } from './charity.type';

export enum DonationStatus {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
}
registerEnumType(DonationStatus, {
  name: 'DonationStatus',
  description: 'CONFIRMED: posted to the ledger. PENDING: written, its posting still being completed (it converges within seconds).',
});

@ObjectType('Donation', { description: 'Points a member gave to a charity.' })
export class DonationType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  points!: number;

  @Field(() => CharityType)
  charity!: CharityType;

  @Field(() => String, { description: "The donation's receipt in the charity's receipt chain." })
  receiptId!: string;

  @Field(() => String)
  createdAt!: string;

  @Field(() => DonationStatus)
  status!: DonationStatus;

  @Field(() => MoneyType, { description: 'Money value of the points at the donation conversion rate in force when given.' })
  value!: MoneyType;

  charityId!: string;
}

@Directive('@key(fields: "id")')
@ObjectType('Member')
export class DonorType {
  @Field(() => ID)
  id!: string;
}

export function toDonationType(entity: DonationEntity): DonationType {
  return Object.assign(new DonationType(), {
    id: entity.id,
    points: Number(entity.points),
    charityId: entity.charityId,
    receiptId: entity.receiptId,
    createdAt: entity.createdAt.toISOString(),
    status: entity.status as DonationStatus,
    value: (() => {
      const m = formatMoney({ minor: BigInt(entity.valueMinor), currency: entity.currency });
      return money(m.amount, m.currency);
    })(),
  });
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
