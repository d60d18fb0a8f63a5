import { randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  badInput,
  callerOf,
  idempotent,
  AppError,
  forbidden,
  isAdmin,
  isSelf,
  recordAudit,
  recordAuditEvent,
  requireAdmin,
  requireMember,
  requireScope,
  storedResult,
  validate,
  validateIdempotencyKey,
  type Viewer,
  type Page,
} from '../../../../lib/src';
import { generateCardNumber } from '../domain/card-number';
import { validateEnrollment, type EnrollmentInput, type ValidEnrollment } from '../domain/enrollment.rules';
import { generateReferralCode } from '../domain/referral-code';
import { enrollmentProbesExhausted, recordEnrollmentEmailRefusal, type EnrollmentProbeLimits } from '../persistence/enrollment-probe.repository';
import { type MemberEntity } from '../persistence/member.entity';
import { emailEnrolled, findMember, insertMember, memberById, memberIdByReferralCode, memberPage, membersByIds } from '../persistence/members.repository';
import { type MembersPartnersClient } from '../clients/partners.client';
import { applyConsentChange, NO_CONSENT, type ConsentChange, type ConsentSource, type ConsentState } from '../domain/consent.rules';
import { recordConsents } from '../persistence/consents.repository';
import { queueRegistration } from '../persistence/registrations.repository';

/** Refusals of an email that is already enrolled, told apart from other bad input. */
const emailTaken = new WeakSet<object>();

/**
 * Enrolls members and finds them by id or card, deciding who may see which member.
 * Raises: FORBIDDEN, BAD_USER_INPUT, PARTNER_SUSPENDED, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE,
 * RATE_LIMITED (the partner's enrolments of enrolled emails reached the limit).
 */
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly partners: MembersPartnersClient,
    private readonly probeLimits: EnrollmentProbeLimits,
    /** Called after a member is written (the registration relay sends it to the ledger). */
    readonly registered: () => void = () => undefined,
  ) {}

  /** A member sees themself; a partner with members:lookup and the admin see any member. */
  canSee(viewer: Viewer, memberId: string): boolean {
    return isAdmin(viewer) || isSelf(viewer, memberId) || (!!viewer.partnerId && viewer.scopes.has('members:lookup'));
  }

  /**
   * Email, phone, birth date, preferred language: the member, the admin, the partner that enrolled the
   * member, and any partner once the member consents to partner data sharing (withdrawing it hides them again).
   */
  canSeePersonalData(viewer: Viewer, member: MemberEntity): boolean {
    return (
      isAdmin(viewer) ||
      isSelf(viewer, member.id) ||
      (!!viewer.partnerId && (viewer.partnerId === member.enrolledByPartnerId || member.partnerDataSharing))
    );
  }

  /**
   * A suspended partner cannot enroll (PARTNER_SUSPENDED); a replay of an earlier enrollment still answers.
   * An email already enrolled is refused (BAD_USER_INPUT on `email`): the till must tell the customer to
   * use their card, so the answer says so, and a partner learns whether an email is enrolled. To stop a
   * partner probing a list of emails, such refusals are counted per partner: past the limit within the
   * window every enrolment by that partner is refused with RATE_LIMITED (all of them, or a successful
   * enrolment would answer the question instead), and reaching it leaves an `enrollmentProbeLimit` audit row.
   * `storeId` names the store the customer joins at: the calling partner's own active store (asked of the
   * partners subgraph as the caller; another partner's store answers as a missing one), else BAD_USER_INPUT
   * on `storeId`; its city is kept with the member (segments select on it).
   */
  async enroll(
    viewer: Viewer,
    input: EnrollmentInput & { consents?: ConsentChange | null; storeId?: string | null; idempotencyKey: string },
    requestId: string,
  ): Promise<MemberEntity> {
    requireScope(viewer, 'members:enroll');
    if (!isAdmin(viewer) && !viewer.partnerId) throw forbidden('Enrollment needs a partner or admin token');
    const valid = validateEnrollment(input);
    let storeId: string | null = null;
    if (input.storeId != null) {
      if (!viewer.partnerId) throw badInput('storeId', "is for a partner enrolling at one of its own stores");
      storeId = validate.uuid('storeId', input.storeId);
    }
    // What the till says the customer agreed to, or nothing (privacy by default); recorded with the partner as source.
    const consents = applyConsentChange(NO_CONSENT, input.consents ?? {}, 'consents.');
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: callerOf(viewer), operation: 'enrollMember', key: input.idempotencyKey, input };
    const replay = await storedResult<{ memberId: string }>(this.dataSource.manager, request);
    const partnerId = isAdmin(viewer) ? undefined : viewer.partnerId;
    if (!replay && viewer.partnerId) await this.partners.requireActiveCallingPartner(viewer, requestId);
    let enrolledStore: { id: string; city: string | null } | null = null;
    if (!replay && storeId) {
      const store = await this.partners.ownStore(viewer, storeId, requestId);
      if (!store || !store.active) throw badInput('storeId', 'is not an active store of the enrolling partner');
      enrolledStore = { id: store.id, city: store.city };
    }
    if (!replay && partnerId && (await enrollmentProbesExhausted(this.dataSource.manager, partnerId, this.probeLimits))) {
      throw new AppError('RATE_LIMITED', 'Too many enrolments of emails already enrolled from this partner; retry later');
    }
    let result: { memberId: string };
    try {
      result =
        replay ??
        (
          await this.dataSource.transaction(async (manager) =>
            idempotent(manager, request, () => this.insertMember(manager, viewer, valid, { source: 'ENROLMENT', state: consents }, randomUUID(), enrolledStore)),
          )
        ).result;
    } catch (error) {
      if (partnerId && error instanceof Error && emailTaken.has(error)) {
        const refusals = await recordEnrollmentEmailRefusal(this.dataSource.manager, partnerId, this.probeLimits);
        if (refusals === this.probeLimits.maxRefusals) await recordAuditEvent(this.dataSource.manager, viewer, 'enrollmentProbeLimit', partnerId);
      }
      throw error;
    }
    if (!replay) this.registered();
    const member = await findMember(this.dataSource.manager, result.memberId);
    if (!member) throw new Error('enrolled member vanished');
    return member;
  }

  /**
   * Creates a member with a card and a referral code and records its first consents, in the caller's
   * transaction (enrolment, and sign-up, which links the identity to `id` first).
   */
  async insertMember(
    manager: EntityManager,
    viewer: Viewer,
    valid: ValidEnrollment,
    consents: { source: ConsentSource; state: ConsentState },
    id: string = randomUUID(),
    enrolledStore: { id: string; city: string | null } | null = null,
  ): Promise<{ memberId: string }> {
    let referredBy: string | null = null;
    if (valid.referralCode) {
      referredBy = await memberIdByReferralCode(manager, valid.referralCode);
      if (!referredBy) throw badInput('referralCode', 'no member has this referral code');
    }
    // Card numbers and referral codes are random; a collision (odds ~1e-9) just draws again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const inserted = await insertMember(manager, {
        id,
        displayName: valid.displayName,
        email: valid.email,
        emailNormalized: valid.emailNormalized,
        birthDate: valid.birthDate,
        cardNumber: generateCardNumber(),
        referralCode: generateReferralCode(),
        referredBy,
        enrolledByPartnerId: viewer.partnerId ?? null,
        enrolledStore,
      });
      if (inserted) {
        // The ledger hears of the member through the registration outbox (welcome, referral, birthday).
        await queueRegistration(manager, id);
        await recordConsents(manager, id, consents.source, consents.source === 'ENROLMENT' ? (viewer.partnerId ?? null) : null, consents.state);
        await recordAudit(manager, viewer, id);
        return { memberId: id };
      }
      if (await emailEnrolled(manager, valid.emailNormalized)) {
        const refusal = badInput('email', 'is already enrolled');
        emailTaken.add(refusal);
        throw refusal;
      }
    }
    throw new Error('could not allocate a unique card number');
  }

  async me(viewer: Viewer): Promise<MemberEntity | null> {
    const memberId = requireMember(viewer);
    return memberById(this.dataSource.manager, memberId);
  }

  async byId(viewer: Viewer, id: string): Promise<MemberEntity | null> {
    requireScope(viewer, 'members:lookup');
    const memberId = validate.uuid('id', id);
    return memberById(this.dataSource.manager, memberId);
  }

  /** The admin's list of members, oldest first; `after` is the id of the last member of the previous page. */
  async list(viewer: Viewer, first: number, after?: string | null): Promise<Page<MemberEntity>> {
    requireAdmin(viewer);
    return memberPage(this.dataSource.manager, first, after);
  }

  /** Internal existence check for other subgraphs (points); answers only callers that act on members. */
  async status(viewer: Viewer, id: string): Promise<'ACTIVE' | 'CLOSED' | null> {
    if (viewer.memberId) {
      if (!isSelf(viewer, id)) return null;
    } else {
      requireScope(viewer, 'points:earn', 'points:redeem', 'points:reverse', 'points:grant', 'members:lookup');
    }
    const memberId = validate.uuid('id', id);
    const member = await memberById(this.dataSource.manager, memberId);
    return member?.status ?? null;
  }

  async loadMany(ids: readonly string[]): Promise<MemberEntity[]> {
    return membersByIds(this.dataSource.manager, ids);
  }
}
