import { Field, ID, InputType, Int } from 'type-graphql';
import { OfferKind } from './catalogue.type';

@InputType('CreateStoreInput')
export class CreateStoreInput {
  @Field(() => ID, { nullable: true, description: "Required for the admin; a partner token may omit it (its own) or name itself only." })
  partnerId?: string | null;

  @Field(() => String, { description: "The partner's store code: 1 to 64 letters, digits, '.', '-' or '_'; unique per partner in any case." })
  code!: string;

  @Field(() => String, { description: 'At most 200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Street address, at most 500 characters.' })
  address?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 100 characters.' })
  city?: string | null;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2, for example NO.' })
  country!: string;

  @Field(() => String, { nullable: true, description: 'Optional: makes a retried creation safe.' })
  idempotencyKey?: string | null;
}

@InputType('UpdateStoreInput', { description: 'Only the given fields change; an empty address or city clears it.' })
export class UpdateStoreInput {
  @Field(() => ID)
  storeId!: string;

  @Field(() => String, { nullable: true })
  code?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => String, { nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true })
  country?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'false closes the store, true reopens it.' })
  active?: boolean | null;
}

@InputType('CreateOfferInput')
export class CreateOfferInput {
  @Field(() => ID, { nullable: true, description: 'Required for the admin; a partner token may omit it (its own) or name itself only.' })
  partnerId?: string | null;

  @Field(() => String, { description: 'At most 120 characters.' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'At most 2000 characters.' })
  description?: string | null;

  @Field(() => OfferKind)
  kind!: OfferKind;

  @Field(() => Int, { nullable: true, description: 'Required for POINTS_PRICE and BONUS_POINTS (1 to 1000000); refused for MULTIPLIER.' })
  points?: number | null;

  @Field(() => String, { nullable: true, description: 'Required for MULTIPLIER: above 1, at most 10, at most 3 decimals; refused otherwise.' })
  multiplier?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601 with a zone; default now.' })
  validFrom?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601 with a zone, after validFrom and in the future; omit for open-ended.' })
  validTo?: string | null;

  @Field(() => String, { nullable: true, description: 'Lowest tier name the offer is for; omit for every member.' })
  minTier?: string | null;

  @Field(() => Int, { nullable: true, description: 'BONUS_POINTS and MULTIPLIER: how many earns one activation applies to, 1 to 100; default 1.' })
  usesPerMember?: number | null;

  @Field(() => ID, {
    nullable: true,
    description: "A personal offer: only members of this segment (the offer partner's own or a coalition one, from createSegment) who consent to marketing can activate it.",
  })
  segmentId?: string | null;

  @Field(() => String, { nullable: true, description: 'Optional: makes a retried creation safe.' })
  idempotencyKey?: string | null;
}

@InputType('UpdateOfferInput', {
  description: 'Only the given fields change; null clears description, validTo, minTier and segmentId. The kind cannot change; a retired offer cannot change.',
})
export class UpdateOfferInput {
  @Field(() => ID)
  offerId!: string;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Int, { nullable: true })
  points?: number | null;

  @Field(() => String, { nullable: true })
  multiplier?: string | null;

  @Field(() => String, { nullable: true })
  validFrom?: string | null;

  @Field(() => String, { nullable: true })
  validTo?: string | null;

  @Field(() => String, { nullable: true })
  minTier?: string | null;

  @Field(() => ID, { nullable: true, description: 'Targets the offer at this segment; null makes it an offer for every member again.' })
  segmentId?: string | null;
}

@InputType('RetireOfferInput')
export class RetireOfferInput {
  @Field(() => ID)
  offerId!: string;
}
