import { Arg, Ctx, Directive, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { type Viewer } from '../auth';
import { type MemberDataErasure } from '../member-data';

@InputType('EraseMemberDataInput')
export class EraseMemberDataInput {
  @Field(() => ID, { description: "The members subgraph's erasure request id: the idempotency key of this step." })
  erasureId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => [String], { description: "The person's token subjects (identity links, their own calls), replaced in the audit log." })
  subjects!: string[];
}

@Directive('@shareable')
@ObjectType('MemberDataErasure', { description: "One subgraph's part of an erasure, carried out once per erasure id." })
export class MemberDataErasureType {
  @Field(() => ID)
  erasureId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => Boolean, { description: 'False when this erasure id had been carried out already (nothing changed).' })
  erasedNow!: boolean;
}

/**
 * `<service>EraseMember(input)`: internal (absent from the public supergraph), for the members service
 * credential only (scope members:erase). See MemberDataErasure.
 */
export function createMemberErasureResolver(service: 'points' | 'partners' | 'donations') {
  @Resolver()
  class MemberErasureResolver {
    @Directive('@inaccessible')
    @Mutation(() => MemberDataErasureType, {
      name: `${service}EraseMember`,
      description: `Internal: erases the ${service} subgraph's part of a member's personal data, once per erasure id. Only the members service credential (scope members:erase); not in the public supergraph.`,
    })
    async eraseMember(@Arg('input', () => EraseMemberDataInput) input: EraseMemberDataInput, @Ctx() ctx: { viewer: Viewer; memberErasure: MemberDataErasure }): Promise<MemberDataErasureType> {
      return Object.assign(new MemberDataErasureType(), await ctx.memberErasure.erase(ctx.viewer, input));
    }
  }
  return MemberErasureResolver;
}
