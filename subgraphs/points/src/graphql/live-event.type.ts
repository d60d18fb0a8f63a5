import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { type LiveEvent } from '../domain/live-event.rules';

@ObjectType('PointsEvent', {
  description: "One event of a member's points account or of a partner's business, heard as it commits (the event outbox that partners' webhooks deliver from).",
})
export class PointsEventType {
  @Field(() => ID, { description: 'The outbox id: increases in commit order (for ordering; not a replay position).' })
  id!: string;

  @Field(() => String, {
    description:
      'points.earned, points.redeemed, points.reversed, hold.captured, hold.voided, hold.expired, points.expiring, member.tier_changed or member.enrolled.',
  })
  type!: string;

  @Field(() => String)
  occurredAt!: string;

  @Field(() => ID, { nullable: true })
  memberId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The partner whose till or business the event happened at; null for member notices.' })
  partnerId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The ledger transaction the event wrote (earned, redeemed, reversed, captured), if any.' })
  transactionId!: string | null;

  @Field(() => Int, { nullable: true, description: 'Points the event moved or announces (negative for a redemption), if any.' })
  points!: number | null;

  @Field(() => String, { nullable: true, description: "The partner's reference (receipt number), if any." })
  reference!: string | null;

  @Field(() => GraphQLJSONObject, { description: "The event's payload as a webhook delivers it; empty when it was too large to announce." })
  data!: Record<string, unknown>;
}

export function toPointsEventType(event: LiveEvent): PointsEventType {
  const payload = event.payload ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const points = payload.points;
  return Object.assign(new PointsEventType(), {
    id: String(event.id),
    type: event.type,
    occurredAt: new Date(event.occurredAt).toISOString(),
    memberId: event.memberId,
    partnerId: event.partnerId,
    transactionId: text(payload.transactionId),
    points: typeof points === 'number' && Number.isSafeInteger(points) && Math.abs(points) <= 2_147_483_647 ? points : null,
    reference: text(payload.reference),
    data: payload,
  });
}
