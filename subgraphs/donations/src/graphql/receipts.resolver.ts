import { Arg, Ctx, Directive, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type DonationsContext } from '../context';
import { DonationType } from './donation.type';
import { ReceiptChainVerificationType, ReceiptHeadInput, ReceiptType, toReceiptType, toVerificationType } from './receipts.type';

@Resolver()
export class ReceiptsResolver {
  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => ReceiptChainVerificationType, {
    description: "Recomputes a charity's receipt chain. Pass a head seen earlier to prove it was neither altered nor trimmed. The charity itself (reports:read) or the admin.",
  })
  async verifyReceiptChain(
    @Arg('charityId', () => ID) charityId: string,
    @Arg('knownHead', () => ReceiptHeadInput, { nullable: true }) knownHead: ReceiptHeadInput | null,
    @Ctx() ctx: DonationsContext,
  ): Promise<ReceiptChainVerificationType> {
    return toVerificationType(await ctx.receipts.verify(ctx.viewer, charityId, knownHead));
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => [ReceiptType], { description: "A charity's receipts by sequence (at most 100). The charity itself (reports:read) or the admin." })
  async receipts(
    @Arg('charityId', () => ID) charityId: string,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('afterSeq', () => Int, { nullable: true }) afterSeq: number | null,
    @Ctx() ctx: DonationsContext,
  ): Promise<ReceiptType[]> {
    return (await ctx.receipts.page(ctx.viewer, charityId, first, afterSeq)).map(toReceiptType);
  }
}

@Resolver(() => DonationType)
export class DonationReceiptResolver {
  @FieldResolver(() => ReceiptType, { nullable: true, description: "The donation's receipt (with its place and hash in the charity's chain) once CONFIRMED." })
  async receipt(@Root() donation: DonationType, @Ctx() ctx: DonationsContext): Promise<ReceiptType | null> {
    const receipt = await ctx.receipts.byReceiptId(donation.receiptId);
    return receipt && toReceiptType(receipt);
  }
}
