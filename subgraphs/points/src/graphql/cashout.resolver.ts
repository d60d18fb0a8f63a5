import { Arg, Ctx, Directive, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import {
  CashoutStatus,
  CashoutType,
  CreatePayoutBatchInput,
  PayoutBatchPayload,
  PayoutBatchType,
  RequestCashoutInput,
  RequestCashoutPayload,
  SettlePayoutBatchInput,
  toBatchType,
  toCashoutType,
} from './cashout.type';

/** Cashback and payouts (CashoutService). Thin: one service call each. */
@Resolver()
export class CashoutResolver {
  @Directive(anyScope('member'))
  @Mutation(() => RequestCashoutPayload, {
    description: 'Turns the member\'s points into a bank transfer to the IBAN: the points leave at once (CASHOUT); the operator pays in batches. Scope: member.',
  })
  async requestCashout(@Arg('input', () => RequestCashoutInput) input: RequestCashoutInput, @Ctx() ctx: PointsContext): Promise<RequestCashoutPayload> {
    return { cashout: toCashoutType(await ctx.cashouts.request(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('member'))
  @Query(() => [CashoutType], { description: 'The calling member\'s cashouts, newest first. Scope: member.' })
  async myCashouts(@Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number, @Ctx() ctx: PointsContext): Promise<CashoutType[]> {
    return (await ctx.cashouts.mine(ctx.viewer, first)).map(toCashoutType);
  }

  @Directive(anyScope('admin'))
  @Query(() => [CashoutType], { description: 'Cashouts in a state (PENDING by default: the payouts to make), oldest first. Admin.' })
  async cashouts(
    @Arg('status', () => CashoutStatus, { defaultValue: CashoutStatus.PENDING }) status: CashoutStatus,
    @Arg('first', () => Int, { defaultValue: 100, description: 'At most 1000.' }) first: number,
    @Ctx() ctx: PointsContext,
  ): Promise<CashoutType[]> {
    return (await ctx.cashouts.list(ctx.viewer, status, first)).map(toCashoutType);
  }

  @Directive(anyScope('admin'))
  @Query(() => PayoutBatchType, { nullable: true, description: 'A payout batch. Admin.' })
  async payoutBatch(@Arg('id', () => String) id: string, @Ctx() ctx: PointsContext): Promise<PayoutBatchType | null> {
    const row = await ctx.cashouts.batch(ctx.viewer, id);
    return row && toBatchType(row);
  }

  @Directive(anyScope('admin'))
  @Mutation(() => PayoutBatchPayload, { description: 'Gathers the pending cashouts (up to 1,000, oldest first) into a payout batch. Idempotent, audited. Admin.' })
  async createPayoutBatch(@Arg('input', () => CreatePayoutBatchInput) input: CreatePayoutBatchInput, @Ctx() ctx: PointsContext): Promise<PayoutBatchPayload> {
    return { batch: toBatchType(await ctx.cashouts.createBatch(ctx.viewer, input)) };
  }

  @Directive(anyScope('admin'))
  @Mutation(() => PayoutBatchPayload, {
    description: 'Marks a payout batch paid (except failedCashoutIds) or failed; each failed payout gives its points back (CASHOUT_RETURN). Once; idempotent, audited. Admin.',
  })
  async settlePayoutBatch(@Arg('input', () => SettlePayoutBatchInput) input: SettlePayoutBatchInput, @Ctx() ctx: PointsContext): Promise<PayoutBatchPayload> {
    return { batch: toBatchType(await ctx.cashouts.settle(ctx.viewer, input)) };
  }

}

/** A payout batch's payouts and its file. */
@Resolver(() => PayoutBatchType)
export class PayoutBatchResolver {
  @FieldResolver(() => [CashoutType], { description: 'The payouts in the batch, oldest first.' })
  async cashouts(@Root() batch: PayoutBatchType, @Ctx() ctx: PointsContext): Promise<CashoutType[]> {
    return (await ctx.cashouts.batchCashouts(batch.id)).map(toCashoutType);
  }

  @FieldResolver(() => String, { description: 'The batch as an ISO 20022 pain.001.001.03 credit-transfer file (XML, UTF-8); also GET /payouts/{id}/pain.001.xml on the gateway.' })
  async creditTransferXml(@Root() batch: PayoutBatchType, @Ctx() ctx: PointsContext): Promise<string> {
    return ctx.cashouts.creditTransferXml(batch.row);
  }
}
