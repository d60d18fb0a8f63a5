import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, Authenticated, anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { EarnPointsInput } from './points.input';
import { encodeCursor, type TransactionPage } from '../services/points.service';
import {
  EarnPointsPayload,
  ExpiringPointsType,
  MemberTierType,
  PartnerRefType,
  PointsAccountType,
  PointsHistoryType,
  PointsMemberType,
  PointsTransactionType,
  TierKeptBy,
  toAccountType,
  toInt,
  toTransactionType,
} from './points.type';
import { formatMultiplier } from '../services/programme.service';

@Resolver(() => PointsMemberType)
export class PointsMemberResolver {
  @FieldResolver(() => PointsAccountType, { description: "The member's points. The member, the admin, and partners with members:lookup." })
  async points(@Root() member: PointsMemberType, @Ctx() ctx: PointsContext): Promise<PointsAccountType> {
    const view = ctx.points.accountView(ctx.viewer, member.id);
    return toAccountType(member.id, await ctx.loaders.account.load(member.id), view);
  }
}

@Resolver(() => PointsAccountType)
export class PointsAccountResolver {
  @FieldResolver(() => Int, { description: 'Posted points. The member and the admin only.' })
  balance(@Root() account: PointsAccountType): number {
    if (account.view !== 'full') throw forbidden('Partners see only available points');
    return account.postedBalance;
  }

  @FieldResolver(() => Int, { description: 'Held by open redemption holds. The member and the admin only.' })
  pending(@Root() account: PointsAccountType): number {
    if (account.view !== 'full') throw forbidden('Partners see only available points');
    return account.heldPoints;
  }

  @FieldResolver(() => PointsHistoryType, { description: 'Transactions, newest first. A partner sees only its own entries.' })
  async history(
    @Root() account: PointsAccountType,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: PointsContext,
  ): Promise<PointsHistoryType> {
    return toHistoryType(await ctx.points.history(ctx.viewer, account.memberId, first, after));
  }

  @FieldResolver(() => [ExpiringPointsType], { description: 'Points that expire within `days`, by expiry time. The member and the admin only.' })
  async expiringSoon(
    @Root() account: PointsAccountType,
    @Arg('days', () => Int, { defaultValue: 30 }) days: number,
    @Ctx() ctx: PointsContext,
  ): Promise<ExpiringPointsType[]> {
    const rows = await ctx.points.expiringSoon(ctx.viewer, account.memberId, days);
    return rows.map((r) => ({ points: toInt(r.points), expiresAt: r.expiresAt.toISOString() }));
  }

  @FieldResolver(() => MemberTierType, { description: "The member's tier from the last 12 months' earning. The member and the admin only." })
  async tier(@Root() account: PointsAccountType, @Ctx() ctx: PointsContext): Promise<MemberTierType> {
    const s = await ctx.points.tierStanding(ctx.viewer, account.memberId);
    const e = s.effective;
    // The next tier is counted from the tier the member holds, in qualifying points.
    const above = [...s.tiers].sort((a, b) => (a.threshold < b.threshold ? -1 : 1)).find((t) => t.threshold > e.tier.threshold) ?? null;
    return {
      name: e.tier.name,
      multiplier: formatMultiplier(e.tier.multiplierMilli),
      qualifyingPoints: s.qualifyingPoints.toString(),
      nextTier: above?.name ?? null,
      pointsToNextTier: (above ? (above.threshold > s.qualifyingPoints ? above.threshold - s.qualifyingPoints : 0n) : 0n).toString(),
      keptBy: e.keptBy as TierKeptBy,
      tierEndsAt: e.endsAt?.toISOString() ?? null,
      pointsToKeep: e.pointsToKeep.toString(),
      qualifyingTier: e.qualifyingTier.name,
      overrideReason: s.overrideReason,
    };
  }
}

@Resolver(() => PartnerRefType)
export class PartnerTransactionsResolver {
  @FieldResolver(() => PointsHistoryType, {
    nullable: true,
    description: "The partner's own transactions (earns, redemptions, reversals), newest first. The partner's own tokens and the admin; null for anyone else.",
  })
  async transactions(
    @Root() partner: PartnerRefType,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: PointsContext,
  ): Promise<PointsHistoryType | null> {
    const page = await ctx.points.partnerHistory(ctx.viewer, partner.id, first, after);
    return page && toHistoryType(page);
  }
}

function toHistoryType(page: TransactionPage): PointsHistoryType {
  const last = page.rows[page.rows.length - 1];
  return { nodes: page.rows.map(toTransactionType), pageInfo: { endCursor: last ? encodeCursor(last) : null, hasNextPage: page.hasNextPage } };
}

@Resolver(() => PointsTransactionType)
export class PointsTransactionResolver {
  @Directive(Authenticated)
  @Query(() => PointsTransactionType, {
    nullable: true,
    description: "A transaction by id: the partner's own, the member's own, or any for the admin; null otherwise.",
  })
  async pointsTransaction(@Arg('id', () => ID) id: string, @Ctx() ctx: PointsContext): Promise<PointsTransactionType | null> {
    const row = await ctx.points.transaction(ctx.viewer, id);
    return row && toTransactionType(row);
  }

  @Directive(anyScope('points:earn'))
  @Mutation(() => EarnPointsPayload, { description: "Awards points for a purchase at the partner's earn rate. Scope: points:earn." })
  async earnPoints(@Arg('input', () => EarnPointsInput) input: EarnPointsInput, @Ctx() ctx: PointsContext): Promise<EarnPointsPayload> {
    const { transaction, awards } = await ctx.points.earn(ctx.viewer, input, ctx.requestId);
    return { transaction: Object.assign(toTransactionType(transaction), { awards }), awards };
  }
}
