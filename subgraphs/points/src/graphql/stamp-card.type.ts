import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { formatMoney, money, MoneyInput, MoneyType } from '../../../../lib/src';
import { type StampProgress } from '../domain/stamp-card.rules';
import { type StampCardRow } from '../persistence/stamp-cards.repository';
import { PartnerRefType, toInt } from './points.type';
import { OfferActivationType, toActivationType } from './offer-activation.type';
import { type ActivationRow } from '../persistence/offer-activations.repository';

@ObjectType('StampCard', {
  description:
    "A partner's stamp card: so many stamps fill it, a full card rewards once (its points, paid by the partner, or an activation of the partner's offer) and starts again.",
})
export class StampCardType {
  @Field(() => ID)
  id!: string;

  @Field(() => PartnerRefType)
  partner!: PartnerRefType;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  stampsRequired!: number;

  @Field(() => MoneyType, { nullable: true, description: 'A purchase earns stamps only from this amount.' })
  minAmount!: MoneyType | null;

  @Field(() => String, { nullable: true, description: 'Only lines of this category earn stamps.' })
  category!: string | null;

  @Field(() => String, { nullable: true, description: 'Only lines of this SKU earn stamps.' })
  sku!: string | null;

  @Field(() => Boolean, { description: 'One stamp per unit bought instead of one per purchase.' })
  perQuantity!: boolean;

  @Field(() => Int, { description: 'Points a full card gives; 0 when its reward is an offer (rewardOfferId).' })
  rewardPoints!: number;

  @Field(() => ID, {
    nullable: true,
    description:
      "The partner's own offer a full card activates for the member (once per card filled, usable from the next earn within the offer's window, as an activation the member made); null: the reward is points.",
  })
  rewardOfferId!: string | null;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  startsAt!: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601, UTC, exclusive; null: open-ended.' })
  endsAt!: string | null;
}

@ObjectType('MemberStampCard', { description: "A member's progress on a stamp card." })
export class MemberStampCardType {
  @Field(() => StampCardType)
  card!: StampCardType;

  @Field(() => Int, { description: 'Stamps on the current card.' })
  stamps!: number;

  @Field(() => Int, { description: 'Stamps still needed to fill it (0: full, rewarded at the next stamp).' })
  stampsToReward!: number;

  @Field(() => Int, { description: 'Cards filled (and rewarded) so far.' })
  filled!: number;

  @Field(() => [OfferActivationType], {
    description: "A card rewarding an offer: the activations its full cards gave the member, newest first (voided ones too: voidedAt); empty for a points card.",
  })
  rewardActivations!: OfferActivationType[];
}

@InputType('CreateStampCardInput')
export class CreateStampCardInput {
  @Field(() => ID, { nullable: true, description: 'Admin: the partner. A partner always defines its own.' })
  partnerId?: string | null;

  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: '2 to 100.' })
  stampsRequired!: number;

  @Field(() => MoneyInput, { nullable: true })
  minAmount?: MoneyInput | null;

  @Field(() => String, { nullable: true, description: 'Count only lines of this category (compared without case).' })
  category?: string | null;

  @Field(() => String, { nullable: true, description: 'Count only lines of this SKU.' })
  sku?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'One stamp per unit bought (default: one per purchase).' })
  perQuantity?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Points a full card gives, 1 to 1000000, paid by the partner. Give this or rewardOfferId.' })
  rewardPoints?: number | null;

  @Field(() => ID, {
    nullable: true,
    description: "Instead of points: the partner's own published MULTIPLIER or BONUS_POINTS offer, lasting as long as the card; a full card activates it for the member (OFFER_NOT_AVAILABLE otherwise).",
  })
  rewardOfferId?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601 with a zone; default now.' })
  startsAt?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601 with a zone; omit for open-ended.' })
  endsAt?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      '1 to 255 printable ASCII characters, scoped to the caller and this operation: a retry answers the card first made; the same key with another input IDEMPOTENCY_KEY_REUSED. Optional for now, required in a later version: send it.',
  })
  idempotencyKey?: string | null;
}

@ObjectType('CreateStampCardPayload')
export class CreateStampCardPayload {
  @Field(() => StampCardType)
  card!: StampCardType;
}

export function toStampCardType(c: StampCardRow): StampCardType {
  const min = c.minAmountMinor !== null && c.minAmountCurrency ? formatMoney({ minor: c.minAmountMinor, currency: c.minAmountCurrency }) : null;
  return Object.assign(new StampCardType(), {
    id: c.id,
    partner: Object.assign(new PartnerRefType(), { id: c.partnerId }),
    name: c.name,
    stampsRequired: c.stampsRequired,
    minAmount: min ? money(min.amount, min.currency) : null,
    category: c.category,
    sku: c.sku,
    perQuantity: c.perQuantity,
    rewardPoints: c.rewardPoints === null ? 0 : toInt(c.rewardPoints),
    rewardOfferId: c.rewardOffer?.offerId ?? null,
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt?.toISOString() ?? null,
  });
}

export function toMemberStampCardType(c: StampCardRow & { progress: StampProgress; rewardActivations: ActivationRow[] }): MemberStampCardType {
  return Object.assign(new MemberStampCardType(), {
    card: toStampCardType(c),
    stamps: c.progress.stamps,
    stampsToReward: Math.max(0, c.stampsRequired - c.progress.stamps),
    filled: c.progress.filled,
    rewardActivations: c.rewardActivations.map(toActivationType),
  });
}
