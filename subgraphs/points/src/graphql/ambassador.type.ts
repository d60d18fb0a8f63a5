import { Field, ID, Int, ObjectType } from 'type-graphql';
import { type AmbassadorRow } from '../persistence/ambassadors.repository';
import { PointsMemberType } from './points.type';

@ObjectType('AmbassadorStatus', { description: "A member's standing as an ambassador: friends they referred who are active, against the threshold." })
export class AmbassadorStatusType {
  @Field(() => Boolean)
  ambassador!: boolean;

  @Field(() => String, { nullable: true, description: 'ISO 8601, UTC: since when the member is an ambassador; null: not (yet).' })
  since!: string | null;

  @Field(() => Int, { description: 'Friends the member referred who earned in the last 12 months.' })
  activeFriends!: number;

  @Field(() => Int, { description: 'Active friends that make an ambassador (AMBASSADOR_MIN_FRIENDS; 0: the programme has no ambassadors).' })
  friendsNeeded!: number;
}

@ObjectType('Ambassador', { description: 'A member whose referrals brought enough active friends.' })
export class AmbassadorType {
  @Field(() => PointsMemberType)
  member!: PointsMemberType;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  since!: string;

  @Field(() => Int, { description: 'Active friends when the member became an ambassador.' })
  activeFriendsThen!: number;
}

@ObjectType('AmbassadorPage')
export class AmbassadorPageType {
  @Field(() => [AmbassadorType])
  nodes!: AmbassadorType[];

  @Field(() => ID, { nullable: true, description: 'Pass as `after` for the next page; null on the last.' })
  endCursor!: string | null;
}

export function toAmbassadorType(r: AmbassadorRow): AmbassadorType {
  return { member: Object.assign(new PointsMemberType(), { id: r.member_id }), since: r.since.toISOString(), activeFriendsThen: r.active_friends };
}
