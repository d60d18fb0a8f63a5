import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { PointsTransactionType } from './points.type';

@InputType('ReverseTransactionInput')
export class ReverseTransactionInput {
  @Field(() => ID)
  transactionId!: string;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('ReverseTransactionPayload')
export class ReverseTransactionPayload {
  @Field(() => PointsTransactionType)
  transaction!: PointsTransactionType;
}
