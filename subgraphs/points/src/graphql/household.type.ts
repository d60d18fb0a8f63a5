import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { invitationStatus } from '../domain/household.rules';
import { type HouseholdView, type TransferAllowanceView } from '../services/household.service';
import { type InvitationRow, type TransferRow } from '../persistence/households.repository';
import { PointsTransactionType, toInt } from './points.type';

export enum HouseholdInvitationStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  /** Withdrawn: the inviter left their household, or a newer invitation replaced an expired one. */
  CANCELLED = 'CANCELLED',
  /** Not answered in time (HOUSEHOLD_INVITATION_DAYS). */
  EXPIRED = 'EXPIRED',
}
registerEnumType(HouseholdInvitationStatus, { name: 'HouseholdInvitationStatus' });

@ObjectType('HouseholdMember', { description: 'A member of a household, as the household sees them: the name they showed it when joining.' })
export class HouseholdMemberType {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  joinedAt!: string;
}

@ObjectType('HouseholdInvitation', { description: 'An invitation to join a household: the invitee accepts or declines it before it expires.' })
export class HouseholdInvitationType {
  @Field(() => ID)
  id!: string;

  @Field(() => HouseholdInvitationStatus)
  status!: HouseholdInvitationStatus;

  @Field(() => String, { description: "The inviter's display name, as they showed it." })
  invitedBy!: string;

  @Field(() => ID, { description: 'The member invited.' })
  inviteeMemberId!: string;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  createdAt!: string;

  @Field(() => String, { description: 'ISO 8601, UTC: accept before this.' })
  expiresAt!: string;
}

@ObjectType('HouseholdTransferAllowance', { description: 'Points the member may still transfer to their household this calendar year.' })
export class HouseholdTransferAllowanceType {
  @Field(() => Int, { description: 'HOUSEHOLD_TRANSFER_YEARLY_LIMIT.' })
  yearlyLimit!: number;

  @Field(() => Int)
  transferredThisYear!: number;

  @Field(() => Int)
  remaining!: number;
}

@ObjectType('Household', { description: "Members who pool points: each keeps their own earns and may transfer points to the others." })
export class HouseholdType {
  @Field(() => ID)
  id!: string;

  @Field(() => [HouseholdMemberType], { description: 'Earliest to join first.' })
  members!: HouseholdMemberType[];

  @Field(() => Int, { description: 'The most members a household holds (HOUSEHOLD_MAX_MEMBERS).' })
  maxMembers!: number;

  @Field(() => [HouseholdInvitationType], { description: 'Invitations sent by members of the household that can still be accepted.' })
  pendingInvitations!: HouseholdInvitationType[];

  /** Resolved by HouseholdResolver: the allowance of the member the household was read for. */
  memberId!: string;
}

@ObjectType('HouseholdTransfer', { description: 'Points one member of a household gave another.' })
export class HouseholdTransferType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  fromMemberId!: string;

  @Field(() => ID)
  toMemberId!: string;

  @Field(() => Int)
  points!: number;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  createdAt!: string;

  /** Resolved by HouseholdResolver: the sender's TRANSFER transaction. */
  outTransactionId!: string;
}

@InputType('InviteToHouseholdInput')
export class InviteToHouseholdInput {
  @Field(() => ID, { nullable: true, description: 'The member to invite; or give their cardNumber.' })
  memberId?: string | null;

  @Field(() => String, { nullable: true })
  cardNumber?: string | null;

  @Field(() => String)
  idempotencyKey!: string;
}

@InputType('AnswerHouseholdInvitationInput')
export class AnswerHouseholdInvitationInput {
  @Field(() => ID)
  invitationId!: string;
}

@InputType('TransferPointsInput')
export class TransferPointsInput {
  @Field(() => ID, { description: 'Another member of your household.' })
  toMemberId!: string;

  @Field(() => Int)
  points!: number;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType('HouseholdInvitationPayload')
export class HouseholdInvitationPayload {
  @Field(() => HouseholdInvitationType)
  invitation!: HouseholdInvitationType;
}

@ObjectType('HouseholdPayload')
export class HouseholdPayload {
  @Field(() => HouseholdType)
  household!: HouseholdType;
}

@ObjectType('LeaveHouseholdPayload')
export class LeaveHouseholdPayload {
  @Field(() => Boolean, { description: 'False: the member was in no household.' })
  left!: boolean;
}

@ObjectType('TransferPointsPayload')
export class TransferPointsPayload {
  @Field(() => HouseholdTransferType)
  transfer!: HouseholdTransferType;

  @Field(() => PointsTransactionType, { description: "The sender's TRANSFER transaction (points < 0)." })
  transaction!: PointsTransactionType;
}

export function toInvitationType(row: InvitationRow, now = new Date()): HouseholdInvitationType {
  return {
    id: row.id,
    status: invitationStatus(row.status, row.expires_at, now) as HouseholdInvitationStatus,
    invitedBy: row.inviter_name,
    inviteeMemberId: row.invitee_id,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

export function toHouseholdType(view: HouseholdView): HouseholdType {
  return Object.assign(new HouseholdType(), {
    id: view.id,
    members: view.members.map((m) => ({ memberId: m.member_id, displayName: m.display_name, joinedAt: m.joined_at.toISOString() })),
    maxMembers: view.maxMembers,
    pendingInvitations: view.invitations.map((i) => toInvitationType(i)),
    memberId: view.memberId,
  });
}

export function toTransferType(row: TransferRow): HouseholdTransferType {
  return {
    id: row.id,
    fromMemberId: row.sender_id,
    toMemberId: row.recipient_id,
    points: toInt(row.points),
    createdAt: row.created_at.toISOString(),
    outTransactionId: row.out_transaction_id,
  };
}

export function toAllowanceType(a: TransferAllowanceView): HouseholdTransferAllowanceType {
  return { yearlyLimit: a.yearlyLimit, transferredThisYear: toInt(a.transferredThisYear), remaining: toInt(a.remaining) };
}
