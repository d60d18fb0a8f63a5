import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { type PointsContext } from '../context';
import { PointsAwardType, toAwardType } from './award.type';
import { EarnPointsPayload, PointsTransactionType } from './points.type';

/** Why a transaction gave its points: whoever sees the transaction sees its awards. */
@Resolver(() => PointsTransactionType)
export class TransactionAwardsResolver {
  @FieldResolver(() => [PointsAwardType], { description: 'Each rule that gave points, with who funds them; empty for transactions that award nothing (redemptions, expiries...).' })
  async awards(@Root() tx: PointsTransactionType, @Ctx() ctx: PointsContext): Promise<PointsAwardType[]> {
    if (tx.awards) return tx.awards.map(toAwardType);
    return (await ctx.loaders.awards.load(tx.id)).map(toAwardType);
  }
}

/** Which POINTS_PRICE offer a redemption paid for: whoever sees the transaction sees it. */
@Resolver(() => PointsTransactionType)
export class TransactionOfferResolver {
  @FieldResolver(() => ID, { nullable: true, description: 'A redemption of a POINTS_PRICE offer (redeemPoints with offerId): the offer; null otherwise.' })
  async redeemedOfferId(@Root() tx: PointsTransactionType, @Ctx() ctx: PointsContext): Promise<string | null> {
    return tx.kind === 'REDEEM' ? ctx.loaders.redeemedOffer.load(tx.id) : null;
  }
}

@Resolver(() => EarnPointsPayload)
export class EarnAwardsResolver {
  @FieldResolver(() => [PointsAwardType], { description: 'Why the member got each point: each rule that gave points, who funds them, the rule. They add up to the transaction\'s points.' })
  awards(@Root() payload: EarnPointsPayload): PointsAwardType[] {
    return payload.awards.map(toAwardType);
  }
}
