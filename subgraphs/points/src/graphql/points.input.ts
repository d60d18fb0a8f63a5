import { Field, ID, InputType, Int } from 'type-graphql';
import { MoneyInput } from '../../../../lib/src';

@InputType('PurchaseLineInput', { description: 'One line of the basket an earn is for.' })
export class PurchaseLineInput {
  @Field(() => String, { description: "The partner's article number; 1 to 64 printable ASCII characters." })
  sku!: string;

  @Field(() => String, { nullable: true, description: 'For example "produce" or "coffee" (compared without case): category rates and stamp cards use it.' })
  category?: string | null;

  @Field(() => Int, { description: '1 to 100000.' })
  quantity!: number;

  @Field(() => MoneyInput, { description: "The line's total, in the purchase's currency." })
  amount!: MoneyInput;
}

@InputType('EarnPointsInput')
export class EarnPointsInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => MoneyInput, { description: "The purchase, in the partner's currency." })
  purchase!: MoneyInput;

  @Field(() => String, { description: "The partner's reference, for example a receipt number; at most 255 characters." })
  reference!: string;

  @Field(() => String, { description: '1 to 255 printable ASCII characters; scoped to (caller, operation).' })
  idempotencyKey!: string;

  @Field(() => ID, { nullable: true, description: "The partner's own store the purchase was made at; it must be active." })
  storeId?: string | null;

  @Field(() => [PurchaseLineInput], { nullable: true, description: 'The basket: lines that add up to the purchase (BAD_USER_INPUT on `lines` otherwise).' })
  lines?: PurchaseLineInput[] | null;
}
