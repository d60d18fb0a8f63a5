import { Arg, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { toTransactionType } from './points.type';
import { ReverseTransactionInput, ReverseTransactionPayload } from './reversal.type';

/** Refunds and returns (ReversalService). Thin: one service call. */
@Resolver()
export class ReversalResolver {
  @Directive(anyScope('admin', 'points:reverse'))
  @Mutation(() => ReverseTransactionPayload, {
    description:
      "Reverses the partner's own earn or redemption, once. Scope: points:reverse (or admin). A suspended partner gets PARTNER_SUSPENDED; the admin can reverse on its behalf.",
  })
  async reverseTransaction(@Arg('input', () => ReverseTransactionInput) input: ReverseTransactionInput, @Ctx() ctx: PointsContext): Promise<ReverseTransactionPayload> {
    return { transaction: toTransactionType(await ctx.reversals.reverse(ctx.viewer, input, ctx.requestId)) };
  }
}
