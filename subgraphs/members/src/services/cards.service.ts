import { type DataSource } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  forbidden,
  idempotent,
  isAdmin,
  notFound,
  recordAudit,
  requireScope,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
} from '../../../../lib/src';
import { requireService } from '../../../../lib/src/service-token';
import { type MembersPartnersClient } from '../clients/partners.client';
import { generateCardNumber, isValidCardNumber, normalizeCardNumber } from '../domain/card-number';
import { requireOpenMembership } from '../domain/membership.rules';
import { cardByNumber, cardsOfMembers, memberByCurrentCard, replaceActiveCard, type CardBlockReason, type CardRow } from '../persistence/cards.repository';
import { closingUnderWay } from '../persistence/closings.repository';
import { type MemberEntity } from '../persistence/member.entity';
import { findMember, lockMember, memberById } from '../persistence/members.repository';

const REASONS: readonly CardBlockReason[] = ['LOST', 'STOLEN', 'DAMAGED'];

/**
 * Members' cards: replacing a lost, stolen or damaged card (the old number is blocked for good, a new one
 * with its check digit is issued; points are keyed on the member id, so nothing moves in the ledger) and
 * finding a member by any card they ever held. A merged member's cards find the member it was merged into.
 * Raises: FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, CARD_BLOCKED, MEMBER_CLOSED, PARTNER_SUSPENDED,
 * IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class CardsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly partners: MembersPartnersClient,
  ) {}

  /** The member (self), a partner with members:enroll (at its till), or the admin. */
  async replace(viewer: Viewer, input: { memberId?: string | null; reason: string; idempotencyKey: string }, requestId: string): Promise<MemberEntity> {
    const memberId = this.subjectOf(viewer, input.memberId);
    if (!REASONS.includes(input.reason as CardBlockReason)) throw badInput('reason', `must be one of ${REASONS.join(', ')}`);
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'replaceCard', key: input.idempotencyKey, input: { ...input, memberId } };
    const replay = await storedResult<{ memberId: string }>(this.dataSource.manager, request);
    if (!replay && viewer.partnerId && !isAdmin(viewer)) await this.partners.requireActiveCallingPartner(viewer, requestId);
    if (!replay) {
      await this.dataSource.transaction((manager) =>
        idempotent(manager, request, async () => {
          const member = await lockMember(manager, memberId);
          if (!member) throw notFound('Member');
          requireOpenMembership(member, await closingUnderWay(manager, memberId));
          // A drawn number that any member ever held is drawn again (odds ~1e-9).
          for (let attempt = 0; attempt < 5; attempt++) {
            if (await replaceActiveCard(manager, memberId, generateCardNumber(), input.reason as CardBlockReason)) {
              await recordAudit(manager, viewer, memberId);
              return { memberId };
            }
          }
          throw new Error('could not allocate a unique card number');
        }),
      );
    }
    const member = await findMember(this.dataSource.manager, memberId);
    if (!member) throw new Error('member vanished');
    return member;
  }

  /**
   * The member a card number finds: its holder, or for a merged member the member it was merged into.
   * A replaced (blocked) number answers CARD_BLOCKED; a number no member ever held, null.
   */
  async memberByCard(viewer: Viewer, cardNumber: string): Promise<MemberEntity | null> {
    requireScope(viewer, 'members:lookup');
    const normalized = normalizeCardNumber(cardNumber);
    if (!isValidCardNumber(normalized)) throw badInput('cardNumber', 'is not a valid card number (check digit does not match)');
    // A current card is on the member's row: one statement, as before cards could be replaced.
    let member = await memberByCurrentCard(this.dataSource.manager, normalized);
    // A merged member's card finds the member it was merged into (to the end of a chain of merges).
    for (let hops = 0; member?.mergedInto && hops < 10; hops++) member = await memberById(this.dataSource.manager, member.mergedInto);
    if (member) return member;
    const card = await cardByNumber(this.dataSource.manager, normalized);
    if (card?.status === 'BLOCKED') throw new AppError('CARD_BLOCKED', "This card was replaced and is blocked; ask for the member's new card");
    return null;
  }

  /**
   * Internal, for the points service (household invitations): the active member that a member id or a
   * card number names (a merged member's card finds the member it was merged into), or null for no such
   * active member. A blocked card names nobody. Only the points service credential (members:resolve).
   */
  async activeMemberNamed(viewer: Viewer, named: { memberId?: string | null; cardNumber?: string | null }): Promise<string | null> {
    requireService(viewer, 'points', 'members:resolve');
    let member: MemberEntity | null;
    if (named.memberId != null) {
      member = validate.isUuid(named.memberId) ? await memberById(this.dataSource.manager, named.memberId.toLowerCase()) : null;
    } else if (named.cardNumber != null) {
      const normalized = normalizeCardNumber(named.cardNumber);
      member = isValidCardNumber(normalized) ? await memberByCurrentCard(this.dataSource.manager, normalized) : null;
      for (let hops = 0; member?.mergedInto && hops < 10; hops++) member = await memberById(this.dataSource.manager, member.mergedInto);
    } else {
      return null;
    }
    return member?.status === 'ACTIVE' ? member.id : null;
  }

  /** Every card the members held, oldest first, keyed by member id. */
  async cardsOf(memberIds: readonly string[]): Promise<CardRow[][]> {
    const rows = await cardsOfMembers(this.dataSource.manager, memberIds.filter(validate.isUuid));
    return memberIds.map((id) => rows.filter((r) => r.memberId === id));
  }

  private subjectOf(viewer: Viewer, memberId: string | null | undefined): string {
    if (viewer.memberId && viewer.scopes.has('member')) {
      if (memberId != null && memberId !== viewer.memberId) throw forbidden('A member replaces only their own card');
      return viewer.memberId;
    }
    if (!isAdmin(viewer) && !(viewer.partnerId && viewer.scopes.has('members:enroll'))) {
      throw forbidden('Replacing a card needs the member, a partner with members:enroll, or the admin');
    }
    if (memberId == null) throw badInput('memberId', 'is required unless the member calls');
    return validate.uuid('memberId', memberId);
  }
}
