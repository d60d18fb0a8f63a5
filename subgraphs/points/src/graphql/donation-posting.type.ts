import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum DonationPostingOutcome {
  POSTED = 'POSTED',
  REFUSED = 'REFUSED',
  MEMBER_CLOSED = 'MEMBER_CLOSED',
}
registerEnumType(DonationPostingOutcome, { name: 'DonationPostingOutcome' });

@InputType('PostDonationInput')
export class PostDonationInput {
  @Field(() => ID, { description: "The donations subgraph's donation id: the idempotency key of the posting." })
  donationId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => ID)
  charityId!: string;

  @Field(() => Int)
  points!: number;
}

@ObjectType('DonationPosting', { description: "The ledger's decision on one donation, made once." })
export class DonationPostingType {
  @Field(() => ID)
  donationId!: string;

  @Field(() => DonationPostingOutcome)
  outcome!: DonationPostingOutcome;

  @Field(() => ID, { nullable: true, description: 'The DONATION transaction, when posted.' })
  transactionId!: string | null;
}
