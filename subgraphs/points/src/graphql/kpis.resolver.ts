import { Arg, Ctx, Directive, ID, Query, Resolver } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { canReadKpis, parseKpiId } from '../../../../lib/src/kpis';
import { type PointsContext } from '../context';
import { toKpisType, ProgrammeKpisType } from './kpis.type';

/** Programme KPIs: the query, and the entity's reference (the same figures for an id the caller may read). */
@Resolver()
export class KpisResolver {
  @Directive(anyScope('admin', 'reports:read'))
  @Query(() => ProgrammeKpisType, {
    description:
      'Programme KPIs for [from, to) (ISO 8601 with a zone; at most 400 days), with each month. partnerId omitted: the whole coalition for the admin, its own for a partner. The admin any partner; a partner token with reports:read only its own: another partner answers NOT_FOUND, as a missing partner does.',
  })
  async programmeKpis(
    @Arg('from', () => String) from: string,
    @Arg('to', () => String) to: string,
    @Arg('partnerId', () => ID, { nullable: true }) partnerId: string | null,
    @Ctx() ctx: PointsContext,
  ): Promise<ProgrammeKpisType> {
    const scope = await ctx.kpis.scope(ctx.viewer, from, to, partnerId ?? null, ctx.requestId);
    const { total, months } = await ctx.kpis.read(scope);
    return toKpisType(total, months);
  }
}

export const kpisReferences = {
  /** The same figures for an id the caller may read; null for any other (as for an id that names nothing). */
  ProgrammeKpis: {
    async __resolveReference(reference: { id: string }, ctx: PointsContext): Promise<ProgrammeKpisType | null> {
      const scope = parseKpiId(reference.id);
      if (!scope || !canReadKpis(ctx.viewer, scope)) return null;
      const { total, months } = await ctx.kpis.read(scope);
      return toKpisType(total, months);
    },
  },
};
