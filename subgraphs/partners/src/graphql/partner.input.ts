import { Field, ID, InputType } from 'type-graphql';
import { MoneyInput } from '../../../../lib/src';

@InputType('CreatePartnerInput')
export class CreatePartnerInput {
  @Field(() => String, { description: 'Unique (case-insensitive), at most 200 characters.' })
  name!: string;

  @Field(() => String, { description: 'ISO 4217, the currency the partner sells in.' })
  currency!: string;

  @Field(() => String, { nullable: true, description: 'Points per one unit of currency, decimal string (at most 6 places); default "1".' })
  earnRate?: string | null;

  @Field(() => MoneyInput, { nullable: true, description: 'What the partner pays the coalition for each point it issues; default 0.01.' })
  issuePrice?: MoneyInput | null;

  @Field(() => MoneyInput, { nullable: true, description: 'What the coalition pays the partner for each point it honours; default 0.01.' })
  reimbursement?: MoneyInput | null;

  @Field(() => String, { nullable: true, description: 'Optional: makes a retried onboarding safe.' })
  idempotencyKey?: string | null;
}

@InputType('SuspendPartnerInput')
export class SuspendPartnerInput {
  @Field(() => ID)
  partnerId!: string;
}

@InputType('ReactivatePartnerInput')
export class ReactivatePartnerInput {
  @Field(() => ID)
  partnerId!: string;
}

@InputType('UpdatePartnerTermsInput', {
  description: 'A new version of the terms. Omitted terms are copied from the version in force at validFrom, so every version is complete.',
})
export class UpdatePartnerTermsInput {
  @Field(() => ID)
  partnerId!: string;

  @Field(() => String, { nullable: true, description: 'Points per one unit of currency, decimal string (at most 6 places), above 0.' })
  earnRate?: string | null;

  @Field(() => MoneyInput, { nullable: true, description: "What the partner pays for each point it issues, in the partner's currency." })
  issuePrice?: MoneyInput | null;

  @Field(() => MoneyInput, { nullable: true, description: "What the coalition pays the partner for each point it honours, in the partner's currency." })
  reimbursement?: MoneyInput | null;

  @Field(() => String, {
    nullable: true,
    description: 'ISO 8601 with a zone: when the version takes effect. Default now; never in the past (postings already priced stay priced).',
  })
  validFrom?: string | null;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to the caller and this operation.' })
  idempotencyKey!: string;
}
