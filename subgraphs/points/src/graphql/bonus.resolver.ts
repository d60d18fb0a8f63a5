import { Arg, Ctx, Directive, Mutation, Query, Resolver } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { MemberRegistrationsType, RegisterMembersInput, SetWelcomeBonusInput, SetWelcomeBonusPayload, toWelcomeRuleType, WelcomeBonusesType } from './bonus.type';

/** Members registered by the members subgraph (RegistrationService). */
@Resolver()
export class RegistrationResolver {
  @Directive('@inaccessible')
  @Mutation(() => MemberRegistrationsType, {
    description: "Internal: the members subgraph's registration relay tells the ledger members' facts (bonuses). Only the members service credential (scope ledger:members); not in the public supergraph.",
  })
  async registerMembers(@Arg('input', () => RegisterMembersInput) input: RegisterMembersInput, @Ctx() ctx: PointsContext): Promise<MemberRegistrationsType> {
    return { registered: await ctx.registrations.register(ctx.viewer, input.members) };
  }
}

/** Welcome bonus rules (BonusService). */
@Resolver()
export class BonusResolver {
  @Directive(anyScope('admin'))
  @Mutation(() => SetWelcomeBonusPayload, {
    description: "Sets the welcome bonus from now on, for members a partner enrolls or coalition-wide; paid by the coalition's marketing budget. Scope: admin. Audited.",
  })
  async setWelcomeBonus(@Arg('input', () => SetWelcomeBonusInput) input: SetWelcomeBonusInput, @Ctx() ctx: PointsContext): Promise<SetWelcomeBonusPayload> {
    return { rule: toWelcomeRuleType(await ctx.bonuses.setWelcomeBonus(ctx.viewer, input)) };
  }

  @Directive(anyScope('admin'))
  @Query(() => WelcomeBonusesType, { description: 'The welcome bonuses in force. Scope: admin.' })
  async welcomeBonuses(@Ctx() ctx: PointsContext): Promise<WelcomeBonusesType> {
    const { defaultPoints, rules } = await ctx.bonuses.welcomeBonuses(ctx.viewer);
    return { defaultPoints, rules: rules.map(toWelcomeRuleType) };
  }
}
