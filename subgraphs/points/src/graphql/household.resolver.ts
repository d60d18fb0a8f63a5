import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import {
  AnswerHouseholdInvitationInput,
  HouseholdInvitationPayload,
  HouseholdInvitationType,
  HouseholdPayload,
  HouseholdTransferAllowanceType,
  HouseholdType,
  InviteToHouseholdInput,
  LeaveHouseholdPayload,
  toAllowanceType,
  toHouseholdType,
  toInvitationType,
  toTransferType,
  TransferPointsInput,
  TransferPointsPayload,
} from './household.type';
import { PointsMemberType, toTransactionType } from './points.type';

@Resolver(() => PointsMemberType)
export class HouseholdMemberResolver {
  @FieldResolver(() => HouseholdType, { nullable: true, description: "The member's household; null when in none. The member and the admin only (null for anyone else)." })
  async household(@Root() member: PointsMemberType, @Ctx() ctx: PointsContext): Promise<HouseholdType | null> {
    const view = await ctx.households.householdOf(ctx.viewer, member.id);
    return view && toHouseholdType(view);
  }

  @FieldResolver(() => [HouseholdInvitationType], { description: 'Household invitations the member received and may still accept, newest first. The member and the admin only.' })
  async householdInvitations(@Root() member: PointsMemberType, @Ctx() ctx: PointsContext): Promise<HouseholdInvitationType[]> {
    return (await ctx.households.invitationsTo(ctx.viewer, member.id)).map((r) => toInvitationType(r));
  }

  @Directive(anyScope('member'))
  @Mutation(() => HouseholdInvitationPayload, {
    description:
      'Invites another member (by member id or card number) to your household, or to form one with you. Idempotent by key; a second invitation to the same member while one is open answers that one. Scope: member.',
  })
  async inviteToHousehold(@Arg('input', () => InviteToHouseholdInput) input: InviteToHouseholdInput, @Ctx() ctx: PointsContext): Promise<HouseholdInvitationPayload> {
    return { invitation: toInvitationType(await ctx.households.invite(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('member'))
  @Mutation(() => HouseholdPayload, { description: "Accepts an invitation you received: you join the inviter's household (HOUSEHOLD_FULL, ALREADY_IN_HOUSEHOLD, INVITATION_EXPIRED). Scope: member." })
  async acceptHouseholdInvitation(@Arg('input', () => AnswerHouseholdInvitationInput) input: AnswerHouseholdInvitationInput, @Ctx() ctx: PointsContext): Promise<HouseholdPayload> {
    return { household: toHouseholdType(await ctx.households.accept(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('member'))
  @Mutation(() => HouseholdInvitationPayload, { description: 'Declines an invitation you received. Scope: member.' })
  async declineHouseholdInvitation(@Arg('input', () => AnswerHouseholdInvitationInput) input: AnswerHouseholdInvitationInput, @Ctx() ctx: PointsContext): Promise<HouseholdInvitationPayload> {
    return { invitation: toInvitationType(await ctx.households.decline(ctx.viewer, input)) };
  }

  @Directive(anyScope('member'))
  @Mutation(() => LeaveHouseholdPayload, { description: 'Leaves your household; you keep every point you hold. A household left with one member is dissolved. Scope: member.' })
  async leaveHousehold(@Ctx() ctx: PointsContext): Promise<LeaveHouseholdPayload> {
    return { left: (await ctx.households.leave(ctx.viewer)).left };
  }

  @Directive(anyScope('member'))
  @Mutation(() => TransferPointsPayload, {
    description:
      'Transfers points to another member of your household (a member outside it answers NOT_FOUND), within the yearly limit (TRANSFER_LIMIT_REACHED). The points keep their issuer and expiry. Idempotent by key. Scope: member.',
  })
  async transferPoints(@Arg('input', () => TransferPointsInput) input: TransferPointsInput, @Ctx() ctx: PointsContext): Promise<TransferPointsPayload> {
    const { transfer, transaction } = await ctx.households.transfer(ctx.viewer, input);
    return { transfer: toTransferType(transfer), transaction: toTransactionType(transaction) };
  }
}

@Resolver(() => HouseholdType)
export class HouseholdResolver {
  @FieldResolver(() => HouseholdTransferAllowanceType, { description: 'What the member this household was read for may still transfer this calendar year.' })
  async transferAllowance(@Root() household: HouseholdType, @Ctx() ctx: PointsContext): Promise<HouseholdTransferAllowanceType> {
    return toAllowanceType(await ctx.households.allowance(household.memberId));
  }
}
