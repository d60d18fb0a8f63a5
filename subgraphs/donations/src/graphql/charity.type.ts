import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { type CharityEntity } from '../persistence/charity.entity';

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

/** The member as the donations subgraph sees it: an id and the member's own giving. */

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

@ObjectType('UpdateCharityPayload')
export class UpdateCharityPayload {
  @Field(() => CharityType)
  charity!: CharityType;
}
