import { type DataSource } from 'typeorm';
import { AppError, badInput, callerOf, forbidden, idempotent, isAdmin, isSelf, notFound, recordAudit, requireMember, storedResult, validate, validateIdempotencyKey, type Viewer } from '../../../../lib/src';
import { type DirectoryClient } from '../clients/directory.client';
import { type MemberResolveClient } from '../clients/member-resolve.client';
import { startOfLocalYear } from '../domain/bonus.rules';
import { joinProblem, transferAllowance, type HouseholdConfig } from '../domain/household.rules';
import {
  addHouseholdMember,
  answerInvitation,
  cancelInvitationsFrom,
  closeExpiredInvitation,
  createHousehold,
  householdMembers,
  insertInvitation,
  insertTransfer,
  invitationById,
  invitationExpired,
  invitationsFrom,
  invitationsTo,
  leaveHousehold,
  lockHousehold,
  lockHouseholdMembers,
  membershipOf,
  moveTransferLots,
  pendingInvitation,
  shareMemberships,
  transferById,
  transferredSince,
  type HouseholdMemberRow,
  type InvitationRow,
  type TransferRow,
} from '../persistence/households.repository';
import { accountsOwingClawbacks, closedMembers, lockMemberAccountsById } from '../persistence/issuance.repository';
import { type TransactionEntity } from '../persistence/ledger.entity';
import { ensureAccount, insertTransaction, loadTransaction, post } from '../persistence/ledger.repository';
import { type LedgerConfig } from './ledger.config';
import { availablePoints, expireDueLots, refuseBalanceOverflow, settleClawbacks } from './member-ledger';

export interface HouseholdView {
  id: string;
  members: HouseholdMemberRow[];
  /** Invitations members of the household sent that are still open. */
  invitations: InvitationRow[];
  maxMembers: number;
  /** The member the household was read for. */
  memberId: string;
}

export interface TransferAllowanceView {
  yearlyLimit: number;
  transferredThisYear: bigint;
  remaining: bigint;
}

/**
 * Households: members who pool points. A member invites another (by member id or card number); the invitee
 * accepts (joining the inviter's household, or forming one with the inviter) or declines, before the
 * invitation expires; a household holds at most HOUSEHOLD_MAX_MEMBERS. Each member's earns stay theirs; a
 * member transfers points to another member of their household (transferPoints), at most
 * HOUSEHOLD_TRANSFER_YEARLY_LIMIT per calendar year (the coalition's calendar), idempotent by key, audited:
 * the points leave the sender's lots oldest expiry first and arrive as lots with the same issuer, earn, price
 * and expiry, so settlement, liability and breakage by issuer do not change. Leaving keeps what one holds;
 * a household left with one member is dissolved. A member outside the caller's household looks missing.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, MEMBER_CLOSED, HOUSEHOLD_FULL, ALREADY_IN_HOUSEHOLD,
 * INVITATION_EXPIRED, ALREADY_FINALIZED, TRANSFER_LIMIT_REACHED, INSUFFICIENT_POINTS,
 * IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class HouseholdService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryClient,
    private readonly resolver: MemberResolveClient,
    private readonly config: LedgerConfig,
    private readonly households: HouseholdConfig,
  ) {}

  /** The member's household (the member and the admin), or null: none, or not the viewer's to see. */
  async householdOf(viewer: Viewer, memberId: string): Promise<HouseholdView | null> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) return null;
    const mine = await membershipOf(this.dataSource.manager, memberId);
    if (!mine) return null;
    return this.view(mine.household_id, memberId);
  }

  /** Invitations the member received that can still be answered (the member and the admin). */
  async invitationsTo(viewer: Viewer, memberId: string): Promise<InvitationRow[]> {
    if (!isAdmin(viewer) && !isSelf(viewer, memberId)) throw forbidden("Only the member and the admin see a member's invitations");
    return invitationsTo(this.dataSource.manager, memberId);
  }

  /** What the member may still transfer this calendar year. */
  async allowance(memberId: string): Promise<TransferAllowanceView> {
    const used = await transferredSince(this.dataSource.manager, memberId, startOfLocalYear(new Date(), this.config.coalition.timeZone));
    return { yearlyLimit: this.households.transferYearlyLimit, transferredThisYear: used, ...transferAllowance(this.households.transferYearlyLimit, used, 0n) };
  }

  async invite(viewer: Viewer, input: { memberId?: string | null; cardNumber?: string | null; idempotencyKey: string }, requestId: string): Promise<InvitationRow> {
    const inviterId = requireMember(viewer);
    if ((input.memberId == null) === (input.cardNumber == null)) throw badInput('memberId', 'give the member id or the card number of the member to invite (one of them)');
    if (input.memberId != null) validate.uuid('memberId', input.memberId);
    if (input.cardNumber != null && !/^[\d\s-]{8,40}$/.test(input.cardNumber)) throw badInput('cardNumber', 'must be a card number');
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'inviteToHousehold', key: input.idempotencyKey, input };
    const replay = await storedResult<{ invitationId: string }>(this.dataSource.manager, request);
    if (replay) return (await invitationById(this.dataSource.manager, replay.invitationId))!;

    const inviteeId = await this.resolver.activeMemberNamed({ memberId: input.memberId, cardNumber: input.cardNumber }, requestId);
    if (!inviteeId) throw notFound('Member');
    if (inviteeId === inviterId) throw badInput(input.memberId != null ? 'memberId' : 'cardNumber', 'names you: invite another member');
    const inviterName = await this.directory.members.ownDisplayName(viewer, requestId);
    if (!inviterName) throw notFound('Member');
    const outcome = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        await lockHouseholdMembers(manager, [inviterId]);
        const closed = await closedMembers(manager, [inviterId, inviteeId]);
        if (closed.has(inviterId)) throw new AppError('MEMBER_CLOSED');
        if (closed.has(inviteeId)) throw notFound('Member');
        const mine = await membershipOf(manager, inviterId);
        if (mine) {
          const members = await householdMembers(manager, mine.household_id);
          if (members.some((m) => m.member_id === inviteeId)) throw new AppError('ALREADY_IN_HOUSEHOLD', 'This member is in your household already');
          if (joinProblem(members.length, 1, this.households.maxMembers)) throw householdFull(this.households.maxMembers);
        }
        const pending = await pendingInvitation(manager, inviterId, inviteeId);
        if (pending && !(await invitationExpired(manager, pending.id))) return { invitationId: pending.id };
        if (pending) await closeExpiredInvitation(manager, pending.id);
        const invitation = await insertInvitation(manager, { inviterId, inviterName, inviteeId, days: this.households.invitationDays });
        await recordAudit(manager, viewer, invitation.id);
        return { invitationId: invitation.id };
      }),
    );
    return (await invitationById(this.dataSource.manager, outcome.result.invitationId))!;
  }

  /** The invitee accepts: joins the inviter's household, or forms one with the inviter. Accepting again answers the household. */
  async accept(viewer: Viewer, input: { invitationId: string }, requestId: string): Promise<HouseholdView> {
    const inviteeId = requireMember(viewer);
    const invitationId = validate.uuid('invitationId', input.invitationId);
    const first = await invitationById(this.dataSource.manager, invitationId);
    if (!first || first.invitee_id !== inviteeId) throw notFound('HouseholdInvitation');
    const displayName = await this.directory.members.ownDisplayName(viewer, requestId);
    if (!displayName) throw notFound('Member');
    const householdId = await this.dataSource.transaction(async (manager) => {
      await lockHouseholdMembers(manager, [first.inviter_id, inviteeId]);
      const invitation = (await invitationById(manager, invitationId, true))!;
      const mine = await membershipOf(manager, inviteeId);
      if (invitation.status === 'ACCEPTED' && mine?.household_id === invitation.household_id) return mine.household_id;
      if (invitation.status !== 'PENDING') throw new AppError('ALREADY_FINALIZED', `This invitation was ${invitation.status.toLowerCase()} already`);
      if (await invitationExpired(manager, invitationId)) throw new AppError('INVITATION_EXPIRED');
      const closed = await closedMembers(manager, [invitation.inviter_id, inviteeId]);
      if (closed.has(inviteeId)) throw new AppError('MEMBER_CLOSED');
      if (closed.has(invitation.inviter_id)) throw notFound('HouseholdInvitation');
      if (mine) throw new AppError('ALREADY_IN_HOUSEHOLD', 'Leave your household before joining another');
      const theirs = await membershipOf(manager, invitation.inviter_id);
      let id: string;
      if (theirs) {
        id = theirs.household_id;
        await lockHousehold(manager, id);
        const members = await householdMembers(manager, id);
        if (joinProblem(members.length, 1, this.households.maxMembers)) throw householdFull(this.households.maxMembers);
      } else {
        id = await createHousehold(manager, invitation.inviter_id);
        await addHouseholdMember(manager, id, invitation.inviter_id, invitation.inviter_name);
      }
      await addHouseholdMember(manager, id, inviteeId, displayName);
      await answerInvitation(manager, invitationId, 'ACCEPTED', id);
      await recordAudit(manager, viewer, invitationId);
      return id;
    });
    return this.view(householdId, inviteeId);
  }

  /** The invitee declines; declining again answers the invitation as it is. */
  async decline(viewer: Viewer, input: { invitationId: string }): Promise<InvitationRow> {
    const inviteeId = requireMember(viewer);
    const invitationId = validate.uuid('invitationId', input.invitationId);
    return this.dataSource.transaction(async (manager) => {
      const invitation = await invitationById(manager, invitationId, true);
      if (!invitation || invitation.invitee_id !== inviteeId) throw notFound('HouseholdInvitation');
      if (invitation.status === 'DECLINED') return invitation;
      if (invitation.status !== 'PENDING') throw new AppError('ALREADY_FINALIZED', `This invitation was ${invitation.status.toLowerCase()} already`);
      const declined = await answerInvitation(manager, invitationId, 'DECLINED', null);
      await recordAudit(manager, viewer, invitationId);
      return declined;
    });
  }

  /** The member leaves their household, keeping every point they hold; their open invitations are withdrawn. */
  async leave(viewer: Viewer): Promise<{ left: boolean; householdId: string | null }> {
    const memberId = requireMember(viewer);
    return this.dataSource.transaction(async (manager) => {
      await lockHouseholdMembers(manager, [memberId]);
      const mine = await membershipOf(manager, memberId);
      if (!mine) return { left: false, householdId: null };
      await lockHousehold(manager, mine.household_id);
      const left = await leaveHousehold(manager, memberId, mine.household_id);
      await cancelInvitationsFrom(manager, left);
      await recordAudit(manager, viewer, mine.household_id);
      return { left: true, householdId: mine.household_id };
    });
  }

  /**
   * Moves points from the calling member to another member of their household: two TRANSFER transactions
   * through the household clearing account, the points drawn from the sender's lots oldest expiry first and
   * given to the recipient as lots of the same issuers, earns, prices and expiries. Under both accounts'
   * locks (id order) and the memberships held FOR SHARE, so concurrent transfers never overspend and the
   * yearly limit is read after every earlier transfer of the sender committed.
   */
  async transfer(viewer: Viewer, input: { toMemberId: string; points: number; idempotencyKey: string }): Promise<{ transfer: TransferRow; transaction: TransactionEntity }> {
    const senderId = requireMember(viewer);
    const recipientId = validate.uuid('toMemberId', input.toMemberId);
    const points = BigInt(validate.points('points', input.points));
    if (recipientId === senderId) throw badInput('toMemberId', 'must be another member of your household');
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'transferPoints', key: input.idempotencyKey, input: { ...input, toMemberId: recipientId } };
    const replay = await storedResult<{ transferId: string }>(this.dataSource.manager, request);
    if (replay) return this.loadTransfer(replay.transferId);

    const outcome = await this.dataSource.transaction((manager) =>
      idempotent(manager, request, async () => {
        const memberships = await shareMemberships(manager, [senderId, recipientId]);
        const sender = memberships.find((m) => m.member_id === senderId);
        const recipient = memberships.find((m) => m.member_id === recipientId);
        // Someone outside the caller's household looks exactly like no member at all.
        if (!sender || !recipient || sender.household_id !== recipient.household_id) throw notFound('Member');
        await ensureAccount(manager, 'MEMBER', recipientId);
        const accounts = await lockMemberAccountsById(manager, [senderId, recipientId]);
        const from = accounts.get(senderId);
        const to = accounts.get(recipientId)!;
        if (!from) throw new AppError('INSUFFICIENT_POINTS');
        const used = await transferredSince(manager, senderId, startOfLocalYear(new Date(), this.config.coalition.timeZone));
        const allowance = transferAllowance(this.households.transferYearlyLimit, used, points);
        if (!allowance.fits) {
          throw new AppError('TRANSFER_LIMIT_REACHED', `You may transfer ${allowance.remaining} more points this year (limit ${this.households.transferYearlyLimit})`);
        }
        await expireDueLots(manager, from, senderId);
        if ((await availablePoints(manager, from)) < points) throw new AppError('INSUFFICIENT_POINTS');
        const clearing = await ensureAccount(manager, 'HOUSEHOLD_CLEARING', sender.household_id);
        // References name the other member by id only: transactions are immutable, and an erasure must leave no name in them.
        const out = await insertTransaction(manager, { kind: 'TRANSFER', memberId: senderId, reference: `household transfer to member ${recipientId}`, points: -points });
        await post(manager, out.id, [
          { accountId: from, amount: -points },
          { accountId: clearing, amount: points },
        ]);
        const into = await insertTransaction(manager, { kind: 'TRANSFER', memberId: recipientId, reference: `household transfer from member ${senderId}`, points });
        await post(manager, into.id, [
          { accountId: clearing, amount: -points },
          { accountId: to, amount: points },
        ]).catch(refuseBalanceOverflow('points'));
        const moved = await moveTransferLots(manager, { fromAccountId: from, toAccountId: to, points, outTransactionId: out.id, inTransactionId: into.id });
        if (moved !== points) throw new Error(`transfer from ${senderId}: lots gave ${moved} points, ${points} needed`);
        const transfer = await insertTransfer(manager, { householdId: sender.household_id, senderId, recipientId, points, outTransactionId: out.id, inTransactionId: into.id });
        // Points the recipient owes back (refunded points already spent) are repaid from what arrives, as from any new points.
        if ((await accountsOwingClawbacks(manager, [to])).has(to)) await settleClawbacks(manager, to, recipientId);
        await recordAudit(manager, viewer, transfer.id);
        return { transferId: transfer.id };
      }),
    );
    return this.loadTransfer(outcome.result.transferId);
  }

  private async loadTransfer(id: string): Promise<{ transfer: TransferRow; transaction: TransactionEntity }> {
    const transfer = (await transferById(this.dataSource.manager, id))!;
    return { transfer, transaction: await loadTransaction(this.dataSource.manager, transfer.out_transaction_id) };
  }

  private async view(householdId: string, memberId: string): Promise<HouseholdView> {
    const members = await householdMembers(this.dataSource.manager, householdId);
    const invitations = await invitationsFrom(this.dataSource.manager, members.map((m) => m.member_id));
    return { id: householdId, members, invitations, maxMembers: this.households.maxMembers, memberId };
  }
}

const householdFull = (max: number) => new AppError('HOUSEHOLD_FULL', `A household holds at most ${max} members`);
