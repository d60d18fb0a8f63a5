import { Field, ID, InputType } from 'type-graphql';
import { MoneyInput } from '../../../../lib/src';

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
}
