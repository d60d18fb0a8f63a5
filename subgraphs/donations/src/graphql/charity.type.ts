import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { formatMoney, money, MoneyType } from '../../../shared/src';
import { type CharityEntity, type DonationEntity } from '../persistence/charity.entity';

export enum CharityStatus {
  ACTIVE = 'ACTIVE',
  INACTIVE = 'INACTIVE',
}
registerEnumType(CharityStatus, { name: 'CharityStatus' });

export enum CharityVerification {
  UNVERIFIED = 'UNVERIFIED',
  VERIFIED = 'VERIFIED',
  REJECTED = 'REJECTED',
}
registerEnumType(CharityVerification, { name: 'CharityVerification', description: 'Only VERIFIED (and ACTIVE) charities receive gifts.' });

export enum DonationStatus {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
}
registerEnumType(DonationStatus, {
  name: 'DonationStatus',
  description: 'CONFIRMED: posted to the ledger. PENDING: written, its posting still being completed (it converges within seconds).',
});


@Directive('@key(fields: "id")')
@ObjectType('Charity', { description: 'A cause members can give points to.' })
export class CharityType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => CharityStatus)
  status!: CharityStatus;

  @Field(() => CharityVerification)
  verification!: CharityVerification;

  @Field(() => Boolean, { description: 'ACTIVE and VERIFIED: donations, pledges and matches are accepted.' })
  receivesGifts!: boolean;

  @Field(() => String)
  createdAt!: string;
}

@ObjectType('CharityPage')
export class CharityPageType {
  @Field(() => [CharityType])
  nodes!: CharityType[];

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('CreateCharityPayload')
export class CreateCharityPayload {
  @Field(() => CharityType)
  charity!: CharityType;
}

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

/** The member as the donations subgraph sees it: an id and the member's own giving. */
@Directive('@key(fields: "id")')
@ObjectType('Member')
export class DonorType {
  @Field(() => ID)
  id!: string;
}

export function toCharityType(entity: CharityEntity): CharityType {
  return Object.assign(new CharityType(), {
    id: entity.id,
    name: entity.name,
    description: entity.description,
    status: entity.status as CharityStatus,
    verification: entity.verification as CharityVerification,
    receivesGifts: entity.status === 'ACTIVE' && entity.verification === 'VERIFIED',
    createdAt: entity.createdAt.toISOString(),
  });
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
