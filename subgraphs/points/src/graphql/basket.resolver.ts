import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { formatMoney, isAdmin, money } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { PurchaseLineType, StoreRefType, StoreSettlementLineType, toPurchaseLineType } from './basket.type';
import { SettlementStatementType } from './economics.type';
import { PointsTransactionType } from './points.type';

/** An earn's store and basket: for the partner that made it and the admin (the partner's own data); null for anyone else. */
@Resolver(() => PointsTransactionType)
export class TransactionBasketResolver {
  @FieldResolver(() => StoreRefType, { nullable: true, description: "The store the purchase was made at. The transaction's partner and the admin only." })
  async store(@Root() tx: PointsTransactionType, @Ctx() ctx: PointsContext): Promise<StoreRefType | null> {
    if (!ownedByViewer(tx, ctx)) return null;
    const basket = await ctx.loaders.basket.load(tx.id);
    return basket?.storeId ? Object.assign(new StoreRefType(), { id: basket.storeId }) : null;
  }

  @FieldResolver(() => [PurchaseLineType], { nullable: true, description: "The basket's lines. The transaction's partner and the admin only." })
  async lines(@Root() tx: PointsTransactionType, @Ctx() ctx: PointsContext): Promise<PurchaseLineType[] | null> {
    if (!ownedByViewer(tx, ctx) || !tx.purchase) return null;
    const basket = await ctx.loaders.basket.load(tx.id);
    const currency = tx.purchase.currency;
    return basket?.lines?.map((l) => toPurchaseLineType(l, currency)) ?? null;
  }
}

function ownedByViewer(tx: PointsTransactionType, ctx: PointsContext): boolean {
  return isAdmin(ctx.viewer) || (!!ctx.viewer.partnerId && tx.partner?.id === ctx.viewer.partnerId);
}

/** A statement's earns per store: the statement was built for a viewer allowed to read it. */
@Resolver(() => SettlementStatementType)
export class StatementStoresResolver {
  @FieldResolver(() => [StoreSettlementLineType], { description: 'Earns per store in the period (earns that named a store), by store id.' })
  async byStore(@Root() s: SettlementStatementType, @Ctx() ctx: PointsContext): Promise<StoreSettlementLineType[]> {
    const rows = await ctx.points.storeTotals(s.partner.id, new Date(s.from), new Date(s.to));
    return rows.map((r) => {
      const m = formatMoney({ minor: r.purchasesMinor, currency: s.currency });
      return Object.assign(new StoreSettlementLineType(), {
        store: Object.assign(new StoreRefType(), { id: r.storeId }),
        earns: r.earns,
        pointsEarned: r.pointsEarned.toString(),
        pointsRefunded: r.pointsRefunded.toString(),
        purchases: money(m.amount, m.currency),
      });
    });
  }
}
