import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type DonationsContext } from '../context';
import { charityOf } from './charity.loader';
import { CharityType } from './charity.type';
import { DonorType } from './donation.type';
import { GivingPartnerRef } from './partner-ref.type';
import {
  ChooseCauseInput,
  ChooseCausePayload,
  PledgeAccrualOutcome,
  PledgeType,
  RecordPledgeAccrualInput,
  RecordPledgeAccrualPayload,
  RecordPledgeAccrualsInput,
  RecordPledgeAccrualsPayload,
  SetPledgeInput,
  SetPledgePayload,
} from './pledges.type';

@Resolver()
export class PledgesResolver {
  @Directive(anyScope('admin', 'points:earn'))
  @Mutation(() => SetPledgePayload, { description: 'A partner pledges a percentage of each purchase to its members\' chosen causes. Scope: points:earn (itself) or admin.' })
  async setPledge(@Arg('input', () => SetPledgeInput) input: SetPledgeInput, @Ctx() ctx: DonationsContext): Promise<SetPledgePayload> {
    const p = await ctx.pledges.setPledge(ctx.viewer, input, ctx.requestId);
    const percent = (p.basisPoints / 100).toFixed(2);
    return {
      pledge: Object.assign(new PledgeType(), { id: p.id, partner: Object.assign(new GivingPartnerRef(), { id: p.partnerId }), percent, validFrom: p.validFrom.toISOString() }),
    };
  }

  @Directive(anyScope('member'))
  @Mutation(() => ChooseCausePayload, { description: "The calling member's cause for partner pledges, from now on. Scope: member." })
  async chooseCause(@Arg('input', () => ChooseCauseInput) input: ChooseCauseInput, @Ctx() ctx: DonationsContext): Promise<ChooseCausePayload> {
    const id = await ctx.pledges.chooseCause(ctx.viewer, input);
    return { cause: id ? await charityOf(ctx, id) : null };
  }

  @Directive('@inaccessible')
  @Mutation(() => RecordPledgeAccrualPayload, { description: "Internal: consumes one earn event from the ledger's outbox, once. Only the points service credential (scope pledges:record)." })
  async recordPledgeAccrual(@Arg('input', () => RecordPledgeAccrualInput) input: RecordPledgeAccrualInput, @Ctx() ctx: DonationsContext): Promise<RecordPledgeAccrualPayload> {
    const r = await ctx.pledges.record(ctx.viewer, input);
    return Object.assign(new RecordPledgeAccrualPayload(), { eventId: r.eventId, outcome: r.outcome as PledgeAccrualOutcome });
  }

  @Directive('@inaccessible')
  @Mutation(() => RecordPledgeAccrualsPayload, {
    description: "Internal: consumes a relay round of earn events from the ledger's outbox in one transaction, each once, all or nothing. Only the points service credential (scope pledges:record).",
  })
  async recordPledgeAccruals(@Arg('input', () => RecordPledgeAccrualsInput) input: RecordPledgeAccrualsInput, @Ctx() ctx: DonationsContext): Promise<RecordPledgeAccrualsPayload> {
    const results = await ctx.pledges.recordMany(ctx.viewer, input.events);
    return Object.assign(new RecordPledgeAccrualsPayload(), {
      results: results.map((r) => Object.assign(new RecordPledgeAccrualPayload(), { eventId: r.eventId, outcome: r.outcome as PledgeAccrualOutcome })),
    });
  }
}

@Resolver(() => DonorType)
export class DonorCauseResolver {
  @FieldResolver(() => CharityType, { nullable: true, description: "The member's chosen cause for partner pledges. The member and the admin only." })
  async cause(@Root() member: DonorType, @Ctx() ctx: DonationsContext): Promise<CharityType | null> {
    ctx.reports.requireMemberView(ctx.viewer, member.id);
    const id = await ctx.pledges.causeOf(member.id);
    return id ? charityOf(ctx, id) : null;
  }
}
