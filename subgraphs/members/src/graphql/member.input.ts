import { Field, InputType } from 'type-graphql';

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

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}
