import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { kpiId } from '../../../../lib/src/kpis';
import { type CurrencyValue, type LedgerKpis } from '../services/kpis.service';
import { PartnerRefType } from './points.type';

@ObjectType('KpiValue', { description: 'A value in one currency: rounded to its minor unit (half to even) and exact.' })
export class KpiValueType {
  @Field(() => String, { description: 'ISO 4217 code.' })
  currency!: string;

  @Field(() => String, { description: 'Rounded to the currency\'s minor unit, for example "12.50".' })
  amount!: string;

  @Field(() => String, { description: 'Unrounded, 6 decimals.' })
  exact!: string;
}

/**
 * The programme's KPIs for a period and a partner (or the coalition). An entity keyed by `id` (the
 * period and the partner): points answers the ledger's figures, the members subgraph the member counts,
 * the donations subgraph the giving, each from its own tables.
 */
@Directive('@key(fields: "id")')
@ObjectType('ProgrammeKpis', {
  description:
    'Programme KPIs for [from, to) (UTC), for one partner or (partner null) the whole coalition. Points figures are decimal integer strings; rates are decimal strings with up to 4 places ("0" when nothing was earned). Reversals count in the period they were written in.',
})
export class ProgrammeKpisType {
  @Field(() => ID, { description: 'The period and the partner: `<from>~<to>~<partner id | coalition>`.' })
  id!: string;

  @Field(() => String, { description: 'Start, inclusive (ISO 8601 UTC).' })
  from!: string;

  @Field(() => String, { description: 'End, exclusive (ISO 8601 UTC).' })
  to!: string;

  @Field(() => PartnerRefType, { nullable: true, description: 'The partner the figures are about; null for the whole coalition.' })
  partner!: PartnerRefType | null;

  @Field(() => Int, { description: 'Members with an earn, a redemption or a donation in the period (for a partner: an earn or a redemption at it).' })
  activeMembers!: number;

  @Field(() => String, { description: 'Points given by earns, grants and bonuses (a partner: its earns), less their reversals.' })
  pointsEarned!: string;

  @Field(() => [KpiValueType], { description: 'What the earned points were issued at (issue price in force at each earn), per currency.' })
  pointsEarnedValue!: KpiValueType[];

  @Field(() => String, { description: 'Points redeemed (a partner: at it), less reversed redemptions.' })
  pointsBurned!: string;

  @Field(() => [KpiValueType], { description: 'What the burned points were reimbursed at (reimbursement in force at each redemption), per currency.' })
  pointsBurnedValue!: KpiValueType[];

  @Field(() => String, { description: 'Points that expired from lots in the period (a partner: from lots it issued).' })
  pointsExpired!: string;

  @Field(() => String, { description: 'pointsBurned / pointsEarned, 4 decimals.' })
  redemptionRate!: string;

  @Field(() => String, { description: 'pointsExpired / pointsEarned, 4 decimals.' })
  breakageRate!: string;

  @Field(() => String, { description: "Points members held at the period's end (`to`) from lots (a partner: lots it issued): the outstanding liability." })
  liabilityPoints!: string;

  @Field(() => [KpiValueType], { description: 'Issue value per point earned (priced points only), per currency, 6 decimals exact.' })
  costPerPointIssued!: KpiValueType[];

  @Field(() => [ProgrammeKpisType], { description: 'The same figures for each calendar month (UTC) the period touches, clipped to it, oldest first (their own byMonth is empty).' })
  byMonth!: ProgrammeKpisType[];
}

function toValue(v: CurrencyValue): KpiValueType {
  return Object.assign(new KpiValueType(), v);
}

export function toKpisType(k: LedgerKpis, months: LedgerKpis[] = []): ProgrammeKpisType {
  return Object.assign(new ProgrammeKpisType(), {
    id: kpiId(k.scope),
    from: k.scope.from.toISOString(),
    to: k.scope.to.toISOString(),
    partner: k.scope.partnerId ? Object.assign(new PartnerRefType(), { id: k.scope.partnerId }) : null,
    activeMembers: k.activeMembers,
    pointsEarned: k.pointsEarned.toString(),
    pointsEarnedValue: k.earnedValue.map(toValue),
    pointsBurned: k.pointsBurned.toString(),
    pointsBurnedValue: k.burnedValue.map(toValue),
    pointsExpired: k.pointsExpired.toString(),
    redemptionRate: k.redemptionRate,
    breakageRate: k.breakageRate,
    liabilityPoints: k.liabilityPoints.toString(),
    costPerPointIssued: k.costPerPointIssued.map(toValue),
    byMonth: months.map((m) => toKpisType(m)),
  });
}
