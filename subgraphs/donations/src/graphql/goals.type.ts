import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { type GoalRow } from '../persistence/charities.repository';

@ObjectType('CharityGoal', { description: 'A target of points over a period, with live progress (confirmed donations and matches).' })
export class CharityGoalType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  targetPoints!: string;

  @Field(() => String)
  progressPoints!: string;

  @Field(() => String)
  startsAt!: string;

  @Field(() => String)
  endsAt!: string;
}

export function toGoal(g: GoalRow): CharityGoalType {
  return Object.assign(new CharityGoalType(), {
    id: g.id,
    title: g.title,
    targetPoints: g.target_points,
    progressPoints: g.progress_points,
    startsAt: g.starts_at.toISOString(),
    endsAt: g.ends_at.toISOString(),
  });
}

@InputType('CreateCharityGoalInput')
export class CreateCharityGoalInput {
  @Field(() => ID)
  charityId!: string;

  @Field(() => String)
  title!: string;

  @Field(() => Int)
  targetPoints!: number;

  @Field(() => String)
  startsAt!: string;

  @Field(() => String)
  endsAt!: string;
}

@ObjectType('CreateCharityGoalPayload')
export class CreateCharityGoalPayload {
  @Field(() => CharityGoalType)
  goal!: CharityGoalType;
}
