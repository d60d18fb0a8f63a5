import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MemberType } from './member.type';

export enum RemainingPointsDisposition {
  FORFEIT = 'FORFEIT',
  DONATE = 'DONATE',
}
registerEnumType(RemainingPointsDisposition, {
  name: 'RemainingPointsDisposition',
  description: 'FORFEIT: the points expire to the coalition (breakage), as expired points do. DONATE: they go to `charityId` as a donation.',
});

@InputType('CloseMembershipInput')
export class CloseMembershipInput {
  @Field(() => ID, { nullable: true, description: 'Omitted when the member calls; required for the admin.' })
  memberId?: string | null;

  @Field(() => RemainingPointsDisposition)
  remainingPoints!: RemainingPointsDisposition;

  @Field(() => ID, { nullable: true, description: 'An active, verified charity; required for DONATE only.' })
  charityId?: string | null;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}

@ObjectType('CloseMembershipPayload')
export class CloseMembershipPayload {
  @Field(() => MemberType, { description: 'status: CLOSED.' })
  member!: MemberType;
}

@InputType('MergeMembersInput')
export class MergeMembersInput {
  @Field(() => ID, { description: 'The duplicate: closed by the merge, its points, history and cards going to the target.' })
  sourceMemberId!: string;

  @Field(() => ID)
  targetMemberId!: string;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}

@ObjectType('MergeMembersPayload')
export class MergeMembersPayload {
  @Field(() => MemberType, { description: 'status: CLOSED, mergedInto: the target.' })
  source!: MemberType;

  @Field(() => MemberType)
  target!: MemberType;
}
