import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type HoldEntity } from '../persistence/ledger.entity';
import { PointsTransactionType, toInt } from './points.type';

export enum HoldStatus {
  OPEN = 'OPEN',
  CAPTURED = 'CAPTURED',
  VOIDED = 'VOIDED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(HoldStatus, { name: 'HoldStatus' });

@ObjectType('RedemptionHold', { description: 'Points held for a till: captured (all or part), voided, or expired, exactly once.' })
export class RedemptionHoldType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  points!: number;

  @Field(() => HoldStatus, { description: 'An open hold past its expiry reads EXPIRED.' })
  status!: HoldStatus;

  @Field(() => String, { description: 'ISO 8601, UTC; set by the database clock.' })
  expiresAt!: string;

  @Field(() => Int, { nullable: true })
  capturedPoints!: number | null;

  @Field(() => String)
  reference!: string;

  @Field(() => String)
  createdAt!: string;
}

export function toHoldType(hold: HoldEntity, now = new Date()): RedemptionHoldType {
  const status = hold.status === 'OPEN' && hold.expiresAt <= now ? 'EXPIRED' : hold.status;
  return Object.assign(new RedemptionHoldType(), {
    id: hold.id,
    points: toInt(hold.points),
    status: status as HoldStatus,
    expiresAt: hold.expiresAt.toISOString(),
    capturedPoints: hold.capturedPoints === null ? null : toInt(hold.capturedPoints),
    reference: hold.reference,
    createdAt: hold.createdAt.toISOString(),
  });
}

@InputType('CreateRedemptionCodeInput')
export class CreateRedemptionCodeInput {
  @Field(() => Int, { nullable: true, description: 'The most points the code may spend.' })
  maxPoints?: number | null;
}

@ObjectType('CreateRedemptionCodePayload')
export class CreateRedemptionCodePayload {
  @Field(() => String, { description: '8 digits; single use; valid until expiresAt.' })
  code!: string;

  @Field(() => String)
  expiresAt!: string;
}

/** The fields every spend at a till takes (redeemPoints, authorizeRedemption): inherited (no operation takes it itself, so it is not in the schema). */
@InputType()
export class SpendInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => Int)
  points!: number;

  @Field(() => String, { description: 'The code the member shows.' })
  redemptionCode!: string;

  @Field(() => String)
  reference!: string;

  @Field(() => String)
  idempotencyKey!: string;
}

@InputType('RedeemPointsInput')
export class RedeemPointsInput extends SpendInput {
  @Field(() => ID, {
    nullable: true,
    description:
      "The partner's own published POINTS_PRICE offer this redemption pays for (inside its window, the member reaching its minTier; OFFER_NOT_AVAILABLE otherwise); points must be its price.",
  })
  offerId?: string | null;
}

@ObjectType('RedeemPointsPayload')
export class RedeemPointsPayload {
  @Field(() => PointsTransactionType)
  transaction!: PointsTransactionType;
}

@InputType('AuthorizeRedemptionInput')
export class AuthorizeRedemptionInput extends SpendInput {}

@ObjectType('RedemptionHoldPayload')
export class RedemptionHoldPayload {
  @Field(() => RedemptionHoldType)
  hold!: RedemptionHoldType;
}

@InputType('CaptureRedemptionInput')
export class CaptureRedemptionInput {
  @Field(() => ID)
  holdId!: string;

  @Field(() => Int, { nullable: true, description: 'Partial capture; default all. The rest is released.' })
  points?: number | null;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('CaptureRedemptionPayload')
export class CaptureRedemptionPayload {
  @Field(() => RedemptionHoldType)
  hold!: RedemptionHoldType;

  @Field(() => PointsTransactionType)
  transaction!: PointsTransactionType;
}

@InputType('VoidRedemptionInput')
export class VoidRedemptionInput {
  @Field(() => ID)
  holdId!: string;

  @Field(() => String)
  idempotencyKey!: string;
}
