import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type OfferEntity, type StoreEntity } from '../persistence/partner.entity';
import { PartnerType } from './partner.type';

export enum OfferKind {
  POINTS_PRICE = 'POINTS_PRICE',
  BONUS_POINTS = 'BONUS_POINTS',
  MULTIPLIER = 'MULTIPLIER',
}
registerEnumType(OfferKind, {
  name: 'OfferKind',
  description: 'What an offer gives the member.',
  valuesConfig: {
    POINTS_PRICE: { description: 'A reward that costs `points` points at the partner.' },
    BONUS_POINTS: { description: 'A purchase that earns `points` extra points.' },
    MULTIPLIER: { description: 'A purchase that earns `multiplier` times the usual points.' },
  },
});

@Directive('@key(fields: "id")')
@ObjectType('Store', { description: "A partner's shop or location. Visible to the partner itself and the admin only." })
export class StoreType {
  @Field(() => ID)
  id!: string;

  partnerId!: string;

  @Field(() => String, { description: "The partner's own store code; unique per partner, in any case." })
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  address!: string | null;

  @Field(() => String, { nullable: true })
  city!: string | null;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2, for example NO.' })
  country!: string;

  @Field(() => Boolean, { description: 'False while the store is closed.' })
  active!: boolean;

  @Field(() => String)
  createdAt!: string;

  @Field(() => String)
  updatedAt!: string;
}

@ObjectType('Offer', {
  description:
    "An entry of a partner's offers catalogue. Published (listed to every authenticated caller) while active, inside its validity window, and its partner is active; otherwise visible to the partner itself and the admin only.",
})
export class OfferType {
  @Field(() => ID)
  id!: string;

  partnerId!: string;

  @Field(() => PartnerType)
  partner!: PartnerType;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => OfferKind)
  kind!: OfferKind;

  @Field(() => Int, { nullable: true, description: 'POINTS_PRICE: what it costs; BONUS_POINTS: what it adds. Null for MULTIPLIER.' })
  points!: number | null;

  @Field(() => String, { nullable: true, description: 'MULTIPLIER: above 1 and at most 10, decimal string. Null otherwise.' })
  multiplier!: string | null;

  @Field(() => String, { description: 'ISO 8601 UTC.' })
  validFrom!: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601 UTC, exclusive; null: open-ended.' })
  validTo!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The lowest tier the offer is for, by name (as in Member.points.tier.name); null: every member. Not checked against the tier table, which the points subgraph owns.",
  })
  minTier!: string | null;

  @Field(() => Int, { description: 'BONUS_POINTS and MULTIPLIER: how many earns at the partner one activation applies to.' })
  usesPerMember!: number;

  @Field(() => ID, {
    nullable: true,
    description: "A personal offer's segment (Query.segment): only its members who consent to marketing can activate it, and see it in Member.offers. Null: every member whose tier reaches it.",
  })
  segmentId!: string | null;

  @Field(() => Boolean, { description: 'False once retired (final).' })
  active!: boolean;

  @Field(() => String, { nullable: true, description: 'When it was retired, ISO 8601 UTC.' })
  retiredAt!: string | null;

  @Field(() => String)
  createdAt!: string;

  @Field(() => String)
  updatedAt!: string;
}

@ObjectType('StorePage')
export class StorePageType {
  @Field(() => [StoreType])
  nodes!: StoreType[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last page.' })
  endCursor!: string | null;
}

@ObjectType('OfferPage')
export class OfferPageType {
  @Field(() => [OfferType])
  nodes!: OfferType[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last page.' })
  endCursor!: string | null;
}

@ObjectType('CreateStorePayload')
export class CreateStorePayload {
  @Field(() => StoreType)
  store!: StoreType;
}

@ObjectType('UpdateStorePayload')
export class UpdateStorePayload {
  @Field(() => StoreType)
  store!: StoreType;
}

@ObjectType('CreateOfferPayload')
export class CreateOfferPayload {
  @Field(() => OfferType)
  offer!: OfferType;
}

@ObjectType('UpdateOfferPayload')
export class UpdateOfferPayload {
  @Field(() => OfferType)
  offer!: OfferType;
}

@ObjectType('RetireOfferPayload')
export class RetireOfferPayload {
  @Field(() => OfferType)
  offer!: OfferType;
}

export function toStoreType(s: StoreEntity): StoreType {
  return Object.assign(new StoreType(), {
    id: s.id,
    partnerId: s.partnerId,
    code: s.code,
    name: s.name,
    address: s.address,
    city: s.city,
    country: s.country,
    active: s.active,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  });
}

/** `multiplier` comes from numeric(5,3) as "2.000": shown without trailing zeros. */
export function toOfferType(o: OfferEntity): OfferType {
  return Object.assign(new OfferType(), {
    id: o.id,
    partnerId: o.partnerId,
    title: o.title,
    description: o.description,
    kind: o.kind as OfferKind,
    points: o.points,
    multiplier: o.multiplier === null ? null : o.multiplier.replace(/\.?0+$/, ''),
    validFrom: o.validFrom.toISOString(),
    validTo: o.validTo?.toISOString() ?? null,
    minTier: o.minTier,
    usesPerMember: o.usesPerMember,
    segmentId: o.segmentId,
    active: o.active,
    retiredAt: o.retiredAt?.toISOString() ?? null,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  });
}
