import { Arg, Ctx, Directive, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { anyScope, currencyExponent, isAdmin, money, MoneyType, trimDecimal } from '../../../../lib/src';
import { PartnerRefType, PointsTransactionType } from './points.type';
import { formatMicros } from '../domain/settlement.rules';
import { type PointsContext } from '../context';
import {
  CoalitionSettlementType,
  PointsAgeingBucketType,
  PointsLiabilityType,
  PointsProvenanceType,
  SettlementStatementType,
  toAgeingType,
  toCashoutLineType,
  toCoalitionIssuanceType,
  toCurrencyTotalType,
  toLiabilityType,
  toStatementType,
} from './economics.type';

const PERIOD = 'ISO 8601 UTC; from inclusive, to exclusive (at most 400 days apart).';

/** Coalition economics: settlement statements, liability and ageing. Thin: each field is one service call. */
@Resolver()
export class EconomicsResolver {
  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => SettlementStatementType, {
    description: `A partner's settlement statement for [from, to). ${PERIOD} The admin any partner; a partner token with reports:read only its own: another partner's answers NOT_FOUND, as a missing partner does.`,
  })
  async settlementStatement(
    @Arg('partnerId', () => ID) partnerId: string,
    @Arg('from', () => String) from: string,
    @Arg('to', () => String) to: string,
    @Ctx() ctx: PointsContext,
  ): Promise<SettlementStatementType> {
    return toStatementType(await ctx.economics.statement(ctx.viewer, partnerId, from, to, ctx.requestId));
  }

  @Directive(anyScope('admin'))
  @Query(() => CoalitionSettlementType, { description: `Every partner's statement for [from, to), netted per currency. ${PERIOD} Scope: admin.` })
  async coalitionSettlement(@Arg('from', () => String) from: string, @Arg('to', () => String) to: string, @Ctx() ctx: PointsContext): Promise<CoalitionSettlementType> {
    const c = await ctx.economics.coalition(ctx.viewer, from, to, ctx.requestId);
    const sum = (pick: (s: (typeof c.statements)[number]) => bigint) => c.statements.reduce((n, s) => n + pick(s), 0n).toString();
    return {
      from: c.period.from.toISOString(),
      to: c.period.to.toISOString(),
      pointsIssued: sum((s) => s.issued.points),
      pointsHonoured: sum((s) => s.honoured.points),
      pointsExpired: (BigInt(sum((s) => s.breakage.points)) + c.coalition.breakage.points).toString(),
      pointsDonated: (BigInt(sum((s) => s.donated.points)) + c.coalition.donated.points).toString(),
      pointsIssuedByCoalition: c.coalition.issued.points.toString(),
      pointsCashedOut: c.cashouts.reduce((n, t) => n + t.points, 0n).toString(),
      coalitionIssuance: toCoalitionIssuanceType(c.coalition),
      cashouts: c.cashouts.map(toCashoutLineType),
      membershipFeesCollected: c.membershipFeesCollected.map((f) => ({ count: f.count, value: money(formatMicros(f.value.rounded, currencyExponent(f.currency)), f.currency) })),
      statements: c.statements.map(toStatementType),
      totals: c.totals.map(toCurrencyTotalType),
    };
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => [PointsLiabilityType], {
    description: `Outstanding points per issuing partner, and points expired in [from, to). ${PERIOD} partnerId omitted: every partner (admin only). A partner token with reports:read only its own.`,
  })
  async pointsLiability(
    @Arg('partnerId', () => ID, { nullable: true }) partnerId: string | null,
    @Arg('from', () => String) from: string,
    @Arg('to', () => String) to: string,
    @Ctx() ctx: PointsContext,
  ): Promise<PointsLiabilityType[]> {
    return (await ctx.economics.liability(ctx.viewer, partnerId ?? null, from, to, ctx.requestId)).map(toLiabilityType);
  }

  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => [PointsAgeingBucketType], {
    description: 'Outstanding points by issuing partner and expiry month, soonest first. partnerId omitted: every partner (admin only). A partner token with reports:read only its own.',
  })
  async pointsAgeing(@Arg('partnerId', () => ID, { nullable: true }) partnerId: string | null, @Ctx() ctx: PointsContext): Promise<PointsAgeingBucketType[]> {
    return (await ctx.economics.ageing(ctx.viewer, partnerId ?? null)).map(toAgeingType);
  }
}

/** The economics of one transaction: its price snapshot and the issuers whose lots it drew on. */
@Resolver(() => PointsTransactionType)
export class TransactionEconomicsResolver {
  @FieldResolver(() => MoneyType, {
    nullable: true,
    description:
      "Price per point in force when the transaction was written: an earn's (and its refund's or clawback's) issue price, a redemption's reimbursement. The transaction's partner and the admin only; null for others and for transactions without a price.",
  })
  price(@Root() tx: PointsTransactionType, @Ctx() ctx: PointsContext): MoneyType | null {
    if (!tx.unitPrice || !tx.priceCurrency) return null;
    if (!isAdmin(ctx.viewer) && (!ctx.viewer.partnerId || ctx.viewer.partnerId !== tx.partner?.id)) return null;
    return money(trimDecimal(tx.unitPrice, currencyExponent(tx.priceCurrency)), tx.priceCurrency);
  }

  @FieldResolver(() => [PointsProvenanceType], {
    nullable: true,
    description:
      "Which issuing partners' lots the transaction drew on or gave back, oldest lots first when spending: every honoured, expired or refunded point traces to its issuer. The admin only (it tells where a member earned); null for others.",
  })
  async provenance(@Root() tx: PointsTransactionType, @Ctx() ctx: PointsContext): Promise<PointsProvenanceType[] | null> {
    if (!isAdmin(ctx.viewer)) return null;
    const rows = await ctx.loaders.provenance.load(tx.id);
    return rows.map((r) => ({ issuer: Object.assign(new PartnerRefType(), { id: r.partnerId }), points: Number(r.points) }));
  }
}
