import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type DonationsContext } from '../context';
import { CharityType } from './charity.type';
import { CharityGoalType, CreateCharityGoalInput, CreateCharityGoalPayload, toGoal } from './goals.type';

@Resolver()
export class GoalsResolver {
  @Directive(anyScope('admin'))
  @Mutation(() => CreateCharityGoalPayload, { description: 'Sets a goal (target points over a period) for a charity. Scope: admin.' })
  async createCharityGoal(@Arg('input', () => CreateCharityGoalInput) input: CreateCharityGoalInput, @Ctx() ctx: DonationsContext): Promise<CreateCharityGoalPayload> {
    return { goal: toGoal(await ctx.charities.createGoal(ctx.viewer, input)) };
  }
}

@Resolver(() => CharityType)
export class CharityGoalsResolver {
  @FieldResolver(() => [CharityGoalType], { description: 'Goals with live progress. Any authenticated caller.' })
  async goals(@Root() charity: CharityType, @Ctx() ctx: DonationsContext): Promise<CharityGoalType[]> {
    return (await ctx.charities.goals(charity.id)).map(toGoal);
  }
}
