import { Arg, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import { type PointsContext } from '../context';
import { CloseMemberAccountInput, MemberAccountClosingOutcome, MemberAccountClosingType } from './member-closing.type';

@Resolver()
export class MemberClosingResolver {
  @Directive('@inaccessible')
  @Mutation(() => MemberAccountClosingType, {
    description: "Internal: closes a member's account once per closing id (forfeiting or keeping its points). Only the members service credential (scope ledger:members); not in the public supergraph.",
  })
  async closeMemberAccount(@Arg('input', () => CloseMemberAccountInput) input: CloseMemberAccountInput, @Ctx() ctx: PointsContext): Promise<MemberAccountClosingType> {
    const closing = await ctx.memberClosings.close(ctx.viewer, input);
    return Object.assign(new MemberAccountClosingType(), {
      outcome: closing.outcome as MemberAccountClosingOutcome,
      remainingPoints: closing.remainingPoints.toString(),
      forfeitedPoints: closing.forfeitedPoints.toString(),
    });
  }
}
