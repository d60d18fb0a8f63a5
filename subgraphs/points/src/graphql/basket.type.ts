import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { formatMoney, money, MoneyType } from '../../../../lib/src';
import { type PurchaseLine } from '../domain/basket.rules';

/** The partners subgraph's Store (its partner and the admin see it; null for anyone else). */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Store')
export class StoreRefType {
  @Field(() => ID)
  id!: string;
}

@ObjectType('PurchaseLine', { description: 'One line of the basket an earn was for.' })
export class PurchaseLineType {
  @Field(() => String)
  sku!: string;

  @Field(() => String, { nullable: true })
  category!: string | null;

  @Field(() => Int)
  quantity!: number;

  @Field(() => MoneyType)
  amount!: MoneyType;
}

export function toPurchaseLineType(line: PurchaseLine, currency: string): PurchaseLineType {
  const m = formatMoney({ minor: line.amountMinor, currency });
  return Object.assign(new PurchaseLineType(), { sku: line.sku, category: line.category, quantity: line.quantity, amount: money(m.amount, m.currency) });
}

@ObjectType('StoreSettlementLine', { description: "A partner's earns at one of its stores in a statement's period (earns made with a storeId)." })
export class StoreSettlementLineType {
  @Field(() => StoreRefType)
  store!: StoreRefType;

  @Field(() => Int)
  earns!: number;

  @Field(() => String, { description: 'Points earned at the store.' })
  pointsEarned!: string;

  @Field(() => String, { description: 'Points taken back by refunds (reversals) of earns made at the store.' })
  pointsRefunded!: string;

  @Field(() => MoneyType, { description: 'The purchases those earns were for.' })
  purchases!: MoneyType;
}
