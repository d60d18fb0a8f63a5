import { Arg, Ctx, Directive, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { AmbassadorPageType, AmbassadorStatusType, toAmbassadorType } from './ambassador.type';
import { PointsAccountType } from './points.type';

@Resolver(() => PointsAccountType)
export class AmbassadorStatusResolver {
  @FieldResolver(() => AmbassadorStatusType, { nullable: true, description: 'Whether the member is an ambassador, since when, and their active friends. The member and the admin only (null for anyone else).' })
  async ambassador(@Root() account: PointsAccountType, @Ctx() ctx: PointsContext): Promise<AmbassadorStatusType | null> {
    const s = await ctx.bonuses.ambassadorStatus(ctx.viewer, account.memberId);
    return s && { ambassador: s.since !== null, since: s.since?.toISOString() ?? null, activeFriends: s.activeFriends, friendsNeeded: s.minFriends };
  }
}

@Resolver()
export class AmbassadorsResolver {
  @Directive(anyScope('admin'))
  @Query(() => AmbassadorPageType, { description: 'Ambassadors, earliest first. Scope: admin.' })
  async ambassadors(
    @Arg('first', () => Int, { defaultValue: 50, description: 'At most 200.' }) first: number,
    @Arg('after', () => ID, { nullable: true }) after: string | null,
    @Ctx() ctx: PointsContext,
  ): Promise<AmbassadorPageType> {
    const rows = await ctx.bonuses.ambassadors(ctx.viewer, first, after);
    return { nodes: rows.map(toAmbassadorType), endCursor: rows.length > 0 && rows.length >= Math.min(Math.max(first, 1), 200) ? rows[rows.length - 1].member_id : null };
  }
}
