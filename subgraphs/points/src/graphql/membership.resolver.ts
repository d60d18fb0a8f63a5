import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { anyScope, Authenticated } from '../../../../lib/src';
import { type PointsContext } from '../context';
import {
  CancelMembershipInput,
  CancelMembershipPayload,
  CreateMembershipPlanInput,
  MembershipPlanPayload,
  MembershipPlanType,
  MembershipPurchaseType,
  MembershipType,
  PurchaseMembershipInput,
  PurchaseMembershipPayload,
  toMembershipType,
  toMembershipViewType,
  toPlanType,
  toPurchaseType,
} from './membership.type';
import { PointsMemberType } from './points.type';

/** Paid memberships (MembershipService): plans, sales at a till, cancellation, and Member.membership. */
@Resolver(() => PointsMemberType)
export class MembershipResolver {
  @Directive(anyScope('admin'))
  @Mutation(() => MembershipPlanPayload, { description: 'Defines a paid membership plan: price per period and perks. Scope: admin. Idempotent; audited.' })
  async createMembershipPlan(@Arg('input', () => CreateMembershipPlanInput) input: CreateMembershipPlanInput, @Ctx() ctx: PointsContext): Promise<MembershipPlanPayload> {
    return { plan: toPlanType(await ctx.memberships.createPlan(ctx.viewer, input)) };
  }

  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => PurchaseMembershipPayload, {
    description:
      "Sells a plan at the partner's till (a partner with points:earn; the admin may record a sale naming the till's partner): starts the member's membership now, or renews the running one for another period from its end (same plan only). The fee is owed by the seller (settlement statement membershipFees). Idempotent; audited.",
  })
  async purchaseMembership(@Arg('input', () => PurchaseMembershipInput) input: PurchaseMembershipInput, @Ctx() ctx: PointsContext): Promise<PurchaseMembershipPayload> {
    const { purchase, membership } = await ctx.memberships.purchase(ctx.viewer, input, ctx.requestId);
    return { purchase: toPurchaseType(purchase), membership: toMembershipType(membership) };
  }

  @Directive(anyScope('admin', 'member'))
  @Mutation(() => CancelMembershipPayload, {
    description: 'Cancels the running membership at the end of its period: the perks last until then, and it is not renewed. The member (self) or the admin. Cancelling again changes nothing. Audited.',
  })
  async cancelMembership(@Arg('input', () => CancelMembershipInput) input: CancelMembershipInput, @Ctx() ctx: PointsContext): Promise<CancelMembershipPayload> {
    return { membership: toMembershipType(await ctx.memberships.cancel(ctx.viewer, input)) };
  }

  @Directive(Authenticated)
  @Query(() => [MembershipPlanType], { description: 'The membership plans, newest first: the price list. Any signed-in caller.' })
  async membershipPlans(@Ctx() ctx: PointsContext): Promise<MembershipPlanType[]> {
    return (await ctx.memberships.plans()).map(toPlanType);
  }

  @Directive(Authenticated)
  @Query(() => MembershipPurchaseType, { nullable: true, description: 'A membership sale: the selling partner, the member and the admin; null for anyone else, as for a missing one.' })
  async membershipPurchase(@Arg('id', () => ID) id: string, @Ctx() ctx: PointsContext): Promise<MembershipPurchaseType | null> {
    const sale = await ctx.memberships.sale(ctx.viewer, id);
    return sale ? toPurchaseType(sale) : null;
  }

  @FieldResolver(() => MembershipType, {
    nullable: true,
    description: "The member's paid membership (null: never had one). The member and the admin, running or ended; a partner with members:lookup only a running one (whether the customer is VIP).",
  })
  async membership(@Root() member: PointsMemberType, @Ctx() ctx: PointsContext): Promise<MembershipType | null> {
    const view = await ctx.loaders.membership.load(member.id);
    return view ? toMembershipViewType(view) : null;
  }
}

@Resolver(() => MembershipType)
export class MembershipPlanFieldResolver {
  @FieldResolver(() => MembershipPlanType)
  async plan(@Root() m: MembershipType, @Ctx() ctx: PointsContext): Promise<MembershipPlanType> {
    return toPlanType((await ctx.loaders.plan.load(m.planId))!);
  }
}

@Resolver(() => MembershipPurchaseType)
export class MembershipPurchasePlanResolver {
  @FieldResolver(() => MembershipPlanType)
  async plan(@Root() p: MembershipPurchaseType, @Ctx() ctx: PointsContext): Promise<MembershipPlanType> {
    return toPlanType((await ctx.loaders.plan.load(p.planId))!);
  }
}
