import { Field, ID, InputType } from 'type-graphql';
import { ConsentInput } from './consent.input';

@InputType('EnrollMemberInput')
export class EnrollMemberInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { description: 'At most 100 characters.' })
  displayName!: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' })
  birthDate?: string | null;

  @Field(() => String, { nullable: true, description: "An existing member's referral code." })
  referralCode?: string | null;

  @Field(() => ConsentInput, {
    nullable: true,
    description: 'What the customer agreed to at the till, recorded with the enrolling partner as source. Absent: no terms, no marketing, no partner data sharing.',
  })
  consents?: ConsentInput | null;

  @Field(() => ID, {
    nullable: true,
    description: "The enrolling partner's own active store the customer joins at (a partner token only); its city is kept as the member's enrolling city (segments).",
  })
  storeId?: string | null;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}
