import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { type CategoryRate } from '../persistence/category-rates.repository';

@ObjectType('CategoryRate', { description: "Extra earn on a category of goods: a percent of what a purchase line earns at the partner's earn rate. Paid by the partner." })
export class CategoryRateType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Lower case; purchase lines match it without case.' })
  category!: string;

  @Field(() => String, { description: 'For example "15.00" for 15 % extra; "0.00" ends the extra.' })
  extraPercent!: string;

  @Field(() => String, { description: 'ISO 8601, UTC: in force from then until a newer version of the same category.' })
  validFrom!: string;
}

@InputType('SetCategoryRateInput')
export class SetCategoryRateInput {
  @Field(() => ID, { nullable: true, description: 'Admin: the partner. A partner always sets its own.' })
  partnerId?: string | null;

  @Field(() => String, { description: 'For example "produce"; compared without case.' })
  category!: string;

  @Field(() => String, { description: 'Percent extra, 0 to 1000, at most 2 decimals; "0" ends the extra.' })
  extraPercent!: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601 with a zone; default now; never in the past.' })
  validFrom?: string | null;
}

@ObjectType('SetCategoryRatePayload')
export class SetCategoryRatePayload {
  @Field(() => CategoryRateType)
  rate!: CategoryRateType;
}

export function toCategoryRateType(r: CategoryRate): CategoryRateType {
  return Object.assign(new CategoryRateType(), { id: r.id, category: r.category, extraPercent: r.extraPercent, validFrom: r.validFrom.toISOString() });
}
