import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { type DeliveryRow, type EndpointRow, type NoticeRow } from '../persistence/webhooks.repository';

@InputType()
export class CreateWebhookEndpointInput {
  @Field(() => String, { description: 'Where deliveries go: https resolving to public addresses (outside production also http on loopback).' })
  url!: string;

  @Field(() => [String], {
    description: 'Event types: points.earned, points.redeemed, points.reversed, hold.captured, hold.voided, hold.expired, member.tier_changed, points.expiring.',
  })
  events!: string[];

  @Field(() => ID, { nullable: true, description: 'The admin names the partner; a partner may omit it (its own).' })
  partnerId?: string | null;
}

@ObjectType('WebhookDelivery', { description: 'One event sent to one endpoint, with its attempts (the delivery log).' })
export class WebhookDeliveryType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The webhook-id header: the same on every attempt and redelivery.' })
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => String, { description: 'PENDING (retried with backoff), DELIVERED, or FAILED (retries ran out: redeliver to try again).' })
  status!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt, null when no answer came.' })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => String, { nullable: true })
  lastAttemptAt!: string | null;

  @Field(() => String, { nullable: true, description: 'When the next attempt is due (PENDING).' })
  nextAttemptAt!: string | null;

  @Field(() => String, { nullable: true })
  deliveredAt!: string | null;

  @Field(() => String)
  createdAt!: string;
}

@ObjectType('WebhookEndpoint', { description: "A partner's webhook endpoint. The signing secret is shown once, when it is created." })
export class WebhookEndpointType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  partnerId!: string;

  @Field(() => String)
  url!: string;

  @Field(() => [String])
  events!: string[];

  @Field(() => String, { description: 'ACTIVE, or DISABLED after failing too long (see disabledReason; enableWebhookEndpoint turns it back on).' })
  status!: string;

  @Field(() => String, { nullable: true })
  disabledReason!: string | null;

  @Field(() => String, { nullable: true })
  disabledAt!: string | null;

  @Field(() => Int, { description: 'Failed attempts since the last success.' })
  consecutiveFailures!: number;

  @Field(() => String)
  createdAt!: string;
}

@ObjectType('CreateWebhookEndpointPayload')
export class CreateWebhookEndpointPayload {
  @Field(() => WebhookEndpointType)
  endpoint!: WebhookEndpointType;

  @Field(() => String, { description: 'The signing secret (whsec_…), for the Standard Webhooks libraries. Shown only here.' })
  secret!: string;
}

@ObjectType('MemberNotice', { description: "A notice for the member's portal: points.expiring or member.tier_changed." })
export class MemberNoticeType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  type!: string;

  @Field(() => GraphQLJSONObject, { description: 'points.expiring: points, expiresAt. member.tier_changed: from, to, qualifyingPoints.' })
  data!: Record<string, unknown>;

  @Field(() => String)
  createdAt!: string;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toEndpointType(row: EndpointRow): WebhookEndpointType {
  return Object.assign(new WebhookEndpointType(), {
    id: row.id,
    partnerId: row.partner_id,
    url: row.url,
    events: row.events,
    status: row.status,
    disabledReason: row.disabled_reason,
    disabledAt: iso(row.disabled_at),
    consecutiveFailures: row.consecutive_failures,
    createdAt: row.created_at.toISOString(),
  });
}

export function toDeliveryType(row: DeliveryRow): WebhookDeliveryType {
  return Object.assign(new WebhookDeliveryType(), {
    id: row.id,
    eventId: row.event_id,
    eventType: row.type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastAttemptAt: iso(row.last_attempt_at),
    nextAttemptAt: row.status === 'PENDING' ? iso(row.next_attempt_at) : null,
    deliveredAt: iso(row.delivered_at),
    createdAt: row.created_at.toISOString(),
  });
}

export function toNoticeType(row: NoticeRow): MemberNoticeType {
  return Object.assign(new MemberNoticeType(), { id: row.id, type: row.type, data: row.payload, createdAt: row.created_at.toISOString() });
}
