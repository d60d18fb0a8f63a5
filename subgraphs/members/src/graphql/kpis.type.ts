import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { type MembersContext } from '../context';

/** The members subgraph's fields of ProgrammeKpis (the points subgraph answers the query and the ledger's figures). */
@Directive('@key(fields: "id")')
@ObjectType('ProgrammeKpis')
export class MembersKpisType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Members enrolled in the period (a partner: enrolled by it).' })
  newMembers!: number;

  @Field(() => Int, { description: 'Members closed or merged into another in the period (a partner: of those it enrolled).' })
  closedMembers!: number;
}

export const kpisReference = {
  /** The counts for an id the caller may read; null for any other (as for an id that names nothing). */
  ProgrammeKpis: {
    async __resolveReference(reference: { id: string }, ctx: MembersContext): Promise<MembersKpisType | null> {
      const counts = await ctx.kpis.counts(ctx.viewer, reference.id);
      return counts && Object.assign(new MembersKpisType(), { id: reference.id, newMembers: counts.enrolled, closedMembers: counts.closed });
    },
  },
};
