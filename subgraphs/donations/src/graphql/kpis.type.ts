import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { money, MoneyType } from '../../../../lib/src';
import { type DonationsContext } from '../context';

/** The donations subgraph's fields of ProgrammeKpis (the points subgraph answers the query and the ledger's figures). */
@Directive('@key(fields: "id")')
@ObjectType('ProgrammeKpis')
export class DonationsKpisType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { nullable: true, description: 'Donations confirmed in the period, coalition-wide; null for one partner (a donation is the member\'s).' })
  donations!: number | null;

  @Field(() => String, { nullable: true, description: 'Points those donations gave; null for one partner.' })
  donatedPoints!: string | null;

  @Field(() => [MoneyType], { description: 'Pledges accrued on earns in the period (a partner: its own pledges), less their reversals, per currency.' })
  pledged!: MoneyType[];
}

export const kpisReference = {
  /** The giving for an id the caller may read; null for any other (as for an id that names nothing). */
  ProgrammeKpis: {
    async __resolveReference(reference: { id: string }, ctx: DonationsContext): Promise<DonationsKpisType | null> {
      const giving = await ctx.kpis.giving(ctx.viewer, reference.id);
      return (
        giving &&
        Object.assign(new DonationsKpisType(), {
          id: reference.id,
          donations: giving.donations,
          donatedPoints: giving.donatedPoints?.toString() ?? null,
          pledged: giving.pledged.map((p) => money(p.amount, p.currency)),
        })
      );
    },
  },
};
