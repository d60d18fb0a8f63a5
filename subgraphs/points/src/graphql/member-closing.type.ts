import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';

export enum MemberAccountClosingOutcome {
  CLOSED = 'CLOSED',
  OPEN_HOLDS = 'OPEN_HOLDS',
}
registerEnumType(MemberAccountClosingOutcome, { name: 'MemberAccountClosingOutcome' });

@InputType('CloseMemberAccountInput')
export class CloseMemberAccountInput {
  @Field(() => ID, { description: "The members subgraph's closing id: the idempotency key of this step." })
  closingId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => String, { description: 'FORFEIT (to breakage) or DONATE (kept for the donation whose id is the closing id).' })
  disposition!: string;
}

@ObjectType('MemberAccountClosing', { description: "The ledger's decision on one closing, made once (OPEN_HOLDS is not kept)." })
export class MemberAccountClosingType {
  @Field(() => MemberAccountClosingOutcome)
  outcome!: MemberAccountClosingOutcome;

  @Field(() => String, { description: 'Points on the account when it closed (after due expiry).' })
  remainingPoints!: string;

  @Field(() => String)
  forfeitedPoints!: string;
}
