import { Directive, Field, InputType, ObjectType } from 'type-graphql';

@Directive('@shareable')
@ObjectType('Money', { description: 'An exact amount: a decimal string and an ISO 4217 currency code.' })
export class MoneyType {
  @Field(() => String, { description: 'Decimal string, for example "12.50".' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code, for example "NOK".' })
  currency!: string;
}

@InputType('MoneyInput')
export class MoneyInput {
  @Field(() => String, { description: 'Decimal string, for example "12.50"; at most the currency\'s minor-unit digits.' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code, for example "NOK".' })
  currency!: string;
}

export function money(amount: string, currency: string): MoneyType {
  return Object.assign(new MoneyType(), { amount, currency });
}
