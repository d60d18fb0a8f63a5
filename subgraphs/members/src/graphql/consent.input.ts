import { Field, InputType } from 'type-graphql';

@InputType('ConsentInput', { description: 'Consents as the member gives them at sign-up (or the till records them at enrolment).' })
export class ConsentInput {
  @Field(() => String, { description: 'The version of the terms accepted, 1 to 32 letters, digits, dots, hyphens or underscores (such as 2026-01).' })
  termsVersion!: string;

  @Field(() => Boolean, { description: 'The member agrees to receive marketing.' })
  marketing!: boolean;

  @Field(() => Boolean, { description: "Partners may see the member's email and profile (otherwise only the enrolling partner does)." })
  partnerDataSharing!: boolean;
}

@InputType('SetConsentsInput', { description: 'Changes to the calling member\'s consents; absent fields stay as they are.' })
export class SetConsentsInput {
  @Field(() => String, { nullable: true, description: 'A newly accepted version of the terms.' })
  termsVersion?: string | null;

  @Field(() => Boolean, { nullable: true })
  marketing?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  partnerDataSharing?: boolean | null;
}
