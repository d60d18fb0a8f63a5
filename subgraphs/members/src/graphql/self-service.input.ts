import { Field, ID, InputType } from 'type-graphql';
import { ConsentInput } from './consent.input';

@InputType('SignUpInput')
export class SignUpInput {
  @Field(() => String, { description: 'One member per email (compared case-insensitively).' })
  email!: string;

  @Field(() => String, { description: 'At most 100 characters.' })
  displayName!: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, not in the future, at most 120 years ago.' })
  birthDate?: string | null;

  @Field(() => String, { nullable: true, description: 'nb, sv, da or en.' })
  preferredLanguage?: string | null;

  @Field(() => String, { nullable: true, description: "An existing member's referral code." })
  referralCode?: string | null;

  @Field(() => ConsentInput)
  consents!: ConsentInput;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to the signed-in identity.' })
  idempotencyKey!: string;
}

@InputType('UpdateProfileInput', { description: 'The fields to change; absent fields stay as they are.' })
export class UpdateProfileInput {
  @Field(() => ID, { nullable: true, description: 'The admin names the member; a member changes their own profile (and may leave it out).' })
  memberId?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 100 characters.' })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: 'One member per email.' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'E.164, such as +4791234567 (spaces and hyphens are dropped).' })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, not in the future, at most 120 years ago.' })
  birthDate?: string | null;

  @Field(() => String, { nullable: true, description: 'nb, sv, da or en.' })
  preferredLanguage?: string | null;
}
