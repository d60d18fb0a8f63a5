import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';

export enum MemberAccountMergeOutcome {
  MERGED = 'MERGED',
  OPEN_HOLDS = 'OPEN_HOLDS',
}
registerEnumType(MemberAccountMergeOutcome, { name: 'MemberAccountMergeOutcome' });

@InputType('MergeMemberAccountsInput')
export class MergeMemberAccountsInput {
  @Field(() => ID, { description: "The members subgraph's merge id: the idempotency key of this step." })
  mergeId!: string;

  @Field(() => ID)
  sourceMemberId!: string;

  @Field(() => ID)
  targetMemberId!: string;
}

@ObjectType('MemberAccountMerge', { description: "The ledger's decision on one merge, made once (OPEN_HOLDS is not kept)." })
export class MemberAccountMergeType {
  @Field(() => MemberAccountMergeOutcome)
  outcome!: MemberAccountMergeOutcome;

  @Field(() => String)
  movedPoints!: string;
}
