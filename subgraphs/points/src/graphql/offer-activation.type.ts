import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { type ActivationRow } from '../persistence/offer-activations.repository';
import { formatMultiplier } from '../services/programme.service';
import { PartnerRefType } from './points.type';

@InputType('ActivateOfferInput')
export class ActivateOfferInput {
  @Field(() => ID)
  offerId!: string;

  @Field(() => String, { nullable: true, description: 'Accepted for retries; activating an offer twice answers the first activation anyway.' })
  idempotencyKey?: string | null;
}

@ObjectType('OfferActivation', { description: "A member's activated offer: the next qualifying earns at its partner inside the window apply it." })
export class OfferActivationType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  offerId!: string;

  @Field(() => PartnerRefType)
  partner!: PartnerRefType;

  @Field(() => String, { description: 'MULTIPLIER or BONUS_POINTS.' })
  kind!: string;

  @Field(() => String, { nullable: true })
  multiplier!: string | null;

  @Field(() => Int, { nullable: true })
  bonusPoints!: number | null;

  @Field(() => Int, { description: 'Earns it still applies to.' })
  usesLeft!: number;

  @Field(() => String, { nullable: true, description: 'ISO 8601, UTC, exclusive; null: open-ended.' })
  validTo!: string | null;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  activatedAt!: string;

  @Field(() => ID, { nullable: true, description: 'The stamp card a full card of which gave it; null: the member activated it.' })
  stampCardId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'When it was taken back (ISO 8601, UTC): the purchase that filled its stamp card was refunded. A voided activation applies to no earn.',
  })
  voidedAt!: string | null;
}

@ObjectType('ActivateOfferPayload')
export class ActivateOfferPayload {
  @Field(() => OfferActivationType)
  activation!: OfferActivationType;
}

export function toActivationType(a: ActivationRow): OfferActivationType {
  return Object.assign(new OfferActivationType(), {
    id: a.id,
    offerId: a.offerId,
    partner: Object.assign(new PartnerRefType(), { id: a.partnerId }),
    kind: a.kind,
    multiplier: a.multiplierMilli === null ? null : formatMultiplier(a.multiplierMilli),
    bonusPoints: a.bonusPoints === null ? null : Number(a.bonusPoints),
    usesLeft: a.usesLeft,
    validTo: a.validTo?.toISOString() ?? null,
    activatedAt: a.activatedAt.toISOString(),
    stampCardId: a.stampCardId,
    voidedAt: a.voidedAt?.toISOString() ?? null,
  });
}
