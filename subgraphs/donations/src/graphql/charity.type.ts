import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type CharityEntity, type DonationEntity } from '../persistence/charity.entity';

export enum CharityStatus {
  ACTIVE = 'ACTIVE',
  INACTIVE = 'INACTIVE',
}
registerEnumType(CharityStatus, { name: 'CharityStatus' });

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

  @Field(() => String)
  receiptId!: string;

  @Field(() => String)
  createdAt!: string;

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
  });
}
