import { Arg, Ctx, Directive, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import { anyScope, Authenticated, tokenExpiresAt } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { type LiveEvent } from '../domain/live-event.rules';
import { PointsEventType, toPointsEventType } from './live-event.type';
import { PointsAccountType, toAccountType } from './points.type';

/** Where a subscription ends by itself: when the token it was opened with expires. */
const untilTokenExpires = (ctx: PointsContext) => ({ endsAt: tokenExpiresAt(ctx.viewer.token) });

@Resolver(() => PointsEventType)
export class LiveEventsResolver {
  @Directive(anyScope('member'))
  @Subscription(() => PointsEventType, {
    description:
      "The calling member's own account, event by event as each commits (earned, redeemed, reversed, holds, notices), over Server-Sent Events. Scope: member. Ends when the token expires.",
    subscribe: ({ context }: { context: PointsContext }) => context.liveEvents.subscribe(context.liveEvents.accountAudience(context.viewer), untilTokenExpires(context)),
  })
  accountEvents(@Root() event: LiveEvent): PointsEventType {
    return toPointsEventType(event);
  }

  @Directive(Authenticated)
  @Subscription(() => PointsEventType, {
    description:
      "A partner's own events (what happens at its tills and to the members it enrolled), as each commits, over Server-Sent Events: a partner's token for its own (naming another partner is FORBIDDEN); the admin for the partner it names, or every partner's. Ends when the token expires.",
    subscribe: ({ args, context }: { args: { partnerId?: string | null }; context: PointsContext }) =>
      context.liveEvents.subscribe(context.liveEvents.partnerAudience(context.viewer, args.partnerId), untilTokenExpires(context)),
  })
  partnerEvents(@Root() event: LiveEvent, @Arg('partnerId', () => ID, { nullable: true }) _partnerId: string | null): PointsEventType {
    return toPointsEventType(event);
  }

  @FieldResolver(() => PointsAccountType, {
    nullable: true,
    description:
      "The member's points as the event is delivered (read when it is heard: after a burst it may include later events). The queries' rules: the member and the admin see all of it, a partner with members:lookup only `available`, anyone else is refused. Null for an event of no member.",
  })
  async account(@Root() event: PointsEventType, @Ctx() ctx: PointsContext): Promise<PointsAccountType | null> {
    if (!event.memberId) return null;
    const view = ctx.points.accountView(ctx.viewer, event.memberId);
    // Each event runs with a fresh context (lib/src/subscriptions.ts): the loader reads the balance after it.
    return toAccountType(event.memberId, await ctx.loaders.account.load(event.memberId), view);
  }
}
