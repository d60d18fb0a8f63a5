import { Field, ID, InputType } from 'type-graphql';
import { CharityVerification } from './charity.type';

@InputType('CreateCharityInput')
export class CreateCharityInput {
  @Field(() => String, { description: 'Unique (case-insensitive), at most 200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'At most 2000 characters.' })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true: the operator vouches for the charity. false: onboarded UNVERIFIED, receiving nothing until verified (updateCharity).' })
  verified?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Optional: makes a retried onboarding safe.' })
  idempotencyKey?: string | null;
}

@InputType('UpdateCharityInput')
export class UpdateCharityInput {
  @Field(() => ID)
  charityId!: string;

  @Field(() => String, { nullable: true, description: 'ACTIVE or INACTIVE.' })
  status?: 'ACTIVE' | 'INACTIVE' | null;

  @Field(() => CharityVerification, { nullable: true })
  verification?: CharityVerification | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}
