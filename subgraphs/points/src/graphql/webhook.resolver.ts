import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { PointsMemberType } from './points.type';
import {
  CreateWebhookEndpointInput,
  CreateWebhookEndpointPayload,
  MemberNoticeType,
  toDeliveryType,
  toEndpointType,
  toNoticeType,
  WebhookDeliveryType,
  WebhookEndpointType,
} from './webhook.type';

/** Partner webhooks (WebhooksService). Thin: one service call each. */
@Resolver(() => WebhookEndpointType)
export class WebhookResolver {
  @Directive(anyScope('admin', 'reports:read'))
  @Mutation(() => CreateWebhookEndpointPayload, {
    description:
      'Registers a webhook endpoint for partner events (Standard Webhooks signing). A partner with reports:read for itself; the admin naming partnerId. Answers the signing secret once.',
  })
  async createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput, @Ctx() ctx: PointsContext): Promise<CreateWebhookEndpointPayload> {
    const { endpoint, secret } = await ctx.webhooks.create(ctx.viewer, input);
    return { endpoint: toEndpointType(endpoint), secret };
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => [WebhookEndpointType], { description: "A partner's webhook endpoints (its own; the admin names partnerId)." })
  async webhookEndpoints(@Arg('partnerId', () => ID, { nullable: true }) partnerId: string | null, @Ctx() ctx: PointsContext): Promise<WebhookEndpointType[]> {
    return (await ctx.webhooks.endpoints(ctx.viewer, partnerId)).map(toEndpointType);
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Mutation(() => WebhookDeliveryType, { description: 'Sends a delivery again (same webhook-id), whatever its status. NOT_FOUND for another partner\'s.' })
  async redeliverWebhook(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() ctx: PointsContext): Promise<WebhookDeliveryType> {
    return toDeliveryType(await ctx.webhooks.redeliver(ctx.viewer, deliveryId));
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Mutation(() => WebhookEndpointType, { description: 'Turns a disabled endpoint back on; its pending deliveries go out again.' })
  async enableWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: PointsContext): Promise<WebhookEndpointType> {
    return toEndpointType(await ctx.webhooks.enable(ctx.viewer, id));
  }

  @FieldResolver(() => [WebhookDeliveryType], { description: 'The delivery log, newest first (at most 100).' })
  async deliveries(
    @Root() endpoint: WebhookEndpointType,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() ctx: PointsContext,
  ): Promise<WebhookDeliveryType[]> {
    return (await ctx.webhooks.deliveries(endpoint.id, first)).map(toDeliveryType);
  }
}

@Resolver(() => PointsMemberType)
export class MemberNoticesResolver {
  @FieldResolver(() => [MemberNoticeType], { description: 'Notices for the portal (points.expiring, member.tier_changed), newest first. The member and the admin only.' })
  async notices(@Root() member: PointsMemberType, @Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: PointsContext): Promise<MemberNoticeType[]> {
    return (await ctx.webhooks.notices(ctx.viewer, member.id, first)).map(toNoticeType);
  }
}
