import { Arg, Ctx, Directive, ID, Query, Resolver } from 'type-graphql';
import { type MembersContext } from '../context';

/** Internal: which active member an invitation names, for the points subgraph's households. */
@Resolver()
export class MemberResolveResolver {
  @Directive('@inaccessible')
  @Query(() => ID, {
    nullable: true,
    description: 'Internal: the active member a member id or (without one) a card number names, or null. Only the points service credential (scope members:resolve).',
  })
  async activeMemberNamed(
    @Arg('memberId', () => ID, { nullable: true }) memberId: string | null,
    @Arg('cardNumber', () => String, { nullable: true }) cardNumber: string | null,
    @Ctx() ctx: MembersContext,
  ): Promise<string | null> {
    return ctx.cards.activeMemberNamed(ctx.viewer, { memberId, cardNumber });
  }
}
