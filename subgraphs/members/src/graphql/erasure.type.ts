import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { MemberType } from './member.type';

@InputType('EraseMemberInput')
export class EraseMemberInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;
}

@ObjectType('MemberErasure', { description: 'An erasure request: recorded once per member, carried out in every subgraph.' })
export class MemberErasureType {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean, { description: 'True once every subgraph has erased its part; until then the hub completes it on its own (open holds wait until they resolve).' })
  completed!: boolean;

  @Field(() => [String], { description: 'The subgraphs still to erase their part: points, donations, partners.' })
  remaining!: string[];
}

@ObjectType('EraseMemberPayload')
export class EraseMemberPayload {
  @Field(() => MemberType, { description: 'The member as the pseudonym left it: status CLOSED, no personal data.' })
  member!: MemberType;

  @Field(() => MemberErasureType)
  erasure!: MemberErasureType;
}
