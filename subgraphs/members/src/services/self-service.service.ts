import { randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  callerOf,
  forbidden,
  idempotent,
  isAdmin,
  isSelf,
  notFound,
  pgCode,
  PgCodes,
  recordAudit,
  requireMember,
  storedResult,
  validate,
  validateIdempotencyKey,
  type MemberLinkCache,
  type Viewer,
} from '../../../../lib/src';
import { applyConsentChange, NO_CONSENT, sameConsents, type ConsentChange, type ConsentState } from '../domain/consent.rules';
import { validateEnrollment, type EnrollmentInput } from '../domain/enrollment.rules';
import { language, validateProfile, type ProfileInput } from '../domain/profile.rules';
import { consentHistory, lockCurrentConsents, recordConsents, type ConsentRecord } from '../persistence/consents.repository';
import { insertIdentityLink, linkedMemberId } from '../persistence/identity-links.repository';
import { type MemberEntity } from '../persistence/member.entity';
import { findMember, lockMember } from '../persistence/members.repository';
import { closingUnderWay } from '../persistence/closings.repository';
import { requireOpenMembership } from '../domain/membership.rules';
import { updateProfile } from '../persistence/profile.repository';
import { bumpRegistration } from '../persistence/registrations.repository';
import { type MembersService } from './members.service';

export interface SignUpInput extends EnrollmentInput {
  preferredLanguage?: string | null;
  consents: { termsVersion: string; marketing: boolean; partnerDataSharing: boolean };
  idempotencyKey: string;
}

/**
 * A member's own membership: signing up through the identity provider (the identity linked to the new
 * member), consents kept as history, and the profile.
 * Raises: FORBIDDEN, BAD_USER_INPUT, ALREADY_MEMBER, NOT_FOUND, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.
 */
export class MemberSelfService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly members: MembersService,
    private readonly links: MemberLinkCache,
  ) {}

  /**
   * A signed-in person (scope `member:signup`, no member yet) becomes a member: the card, the referral
   * code and the consents as enrolment makes them, and the token's (issuer, subject) linked to the member.
   * One member per identity: the link is inserted before the member, so of two sign-ups racing for one
   * identity the second waits on the link's key and answers ALREADY_MEMBER (the same key: the same answer).
   * One member per email, as enrolment: BAD_USER_INPUT on `email`.
   */
  async signUp(viewer: Viewer, input: SignUpInput): Promise<MemberEntity> {
    if (!viewer.scopes.has('member:signup') || viewer.service || viewer.partnerId || viewer.charityId || !viewer.issuer) {
      throw forbidden('Requires a sign-up token (scope member:signup) of a person');
    }
    validateIdempotencyKey(input.idempotencyKey);
    const request = { caller: `${viewer.issuer}|${callerOf(viewer)}`, operation: 'signUp', key: input.idempotencyKey, input };
    const replay = await storedResult<{ memberId: string }>(this.dataSource.manager, request);
    if (!replay) {
      // A token already acting as a member (a member_id claim, or a link found when it also has `member`).
      if (viewer.memberId) throw new AppError('ALREADY_MEMBER');
      const valid = validateEnrollment(input);
      const preferredLanguage = input.preferredLanguage == null ? null : language('preferredLanguage', input.preferredLanguage);
      if (input.birthDate != null) validateProfile({ birthDate: input.birthDate });
      const consents = applyConsentChange(NO_CONSENT, input.consents, 'consents.');
      const { issuer, subject } = { issuer: viewer.issuer, subject: viewer.subject };
      const { result } = await this.dataSource.transaction(async (manager) =>
        idempotent(manager, request, async () => {
          const memberId = randomUUID();
          if (!(await insertIdentityLink(manager, issuer, subject, memberId))) throw new AppError('ALREADY_MEMBER');
          await this.members.insertMember(manager, viewer, valid, { source: 'SIGN_UP', state: consents }, memberId);
          if (preferredLanguage) await updateProfile(manager, memberId, { preferredLanguage });
          return { memberId };
        }),
      );
      this.links.linked(issuer, subject, result.memberId);
      this.members.registered();
      return this.load(result.memberId);
    }
    return this.load(replay.memberId);
  }

  /**
   * The member's consents changed by the member; a change that changes nothing appends nothing. The ledger
   * keeps the marketing and data-sharing consents (segments; personal offers need marketing): a change to
   * either is sent to it through the registration outbox, in the same transaction.
   */
  async setConsents(viewer: Viewer, change: ConsentChange): Promise<MemberEntity> {
    const memberId = requireMember(viewer);
    if (change.termsVersion == null && change.marketing == null && change.partnerDataSharing == null) throw badInput('input', 'names nothing to change');
    const ledgerHears = await this.dataSource.transaction(async (manager) => {
      await this.requireOpen(manager, memberId);
      const current = await lockCurrentConsents(manager, memberId);
      if (!current) throw notFound('Member');
      const next = applyConsentChange(current, change);
      if (!sameConsents(current, next)) await recordConsents(manager, memberId, 'SET_CONSENTS', null, next);
      const registered = current.marketing !== next.marketing || current.partnerDataSharing !== next.partnerDataSharing;
      if (registered) await bumpRegistration(manager, memberId);
      await recordAudit(manager, viewer, memberId);
      return registered;
    });
    if (ledgerHears) this.members.registered();
    return this.load(memberId);
  }

  /** The member's profile, changed by the member or (naming `memberId`) the admin. Email stays unique. */
  async updateProfile(viewer: Viewer, memberId: string | null | undefined, input: ProfileInput): Promise<MemberEntity> {
    const target = this.profileTarget(viewer, memberId);
    const changes = validateProfile(input);
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.requireOpen(manager, target);
        if (!(await updateProfile(manager, target, changes))) throw notFound('Member');
        // The ledger keeps the birthday (birthday bonus): it hears of the change.
        if ('birthDate' in changes) await bumpRegistration(manager, target);
        await recordAudit(manager, viewer, target);
      });
      if ('birthDate' in changes) this.members.registered();
    } catch (error) {
      if (pgCode(error) === PgCodes.uniqueViolation) throw badInput('email', 'is already enrolled');
      throw error;
    }
    return this.load(target);
  }

  /**
   * The member the caller's identity is linked to, straight from the table (other subgraphs cache it); null
   * for none, and for the hub's service credentials, which are no one's identity.
   */
  async linkedMember(viewer: Viewer): Promise<string | null> {
    if (viewer.service || !viewer.issuer) return null;
    return linkedMemberId(this.dataSource.manager, viewer.issuer, viewer.subject);
  }

  /** Consents with their history: the member and the admin only (others see null). */
  async consentsOf(viewer: Viewer, member: MemberEntity): Promise<{ current: ConsentState; history: ConsentRecord[] } | null> {
    if (!isAdmin(viewer) && !isSelf(viewer, member.id)) return null;
    return { current: stateOf(member), history: await consentHistory(this.dataSource.manager, member.id) };
  }

  private profileTarget(viewer: Viewer, memberId: string | null | undefined): string {
    if (isAdmin(viewer)) {
      if (memberId == null) throw badInput('memberId', 'the admin names the member');
      return validate.uuid('memberId', memberId);
    }
    const self = requireMember(viewer);
    // A member names no one else; naming themself is fine. Another member answers as a missing one.
    if (memberId != null && validate.uuid('memberId', memberId) !== self) throw notFound('Member');
    return self;
  }

  /** Locks the member; a closed membership (or one being closed or merged) answers MEMBER_CLOSED, a missing one NOT_FOUND. */
  private async requireOpen(manager: EntityManager, memberId: string): Promise<void> {
    const member = await lockMember(manager, memberId);
    if (!member) throw notFound('Member');
    requireOpenMembership(member, await closingUnderWay(manager, memberId));
  }

  private async load(memberId: string): Promise<MemberEntity> {
    const member = await findMember(this.dataSource.manager, memberId);
    if (!member) throw new Error('member vanished');
    return member;
  }
}

const stateOf = (member: MemberEntity): ConsentState => ({
  termsVersion: member.termsVersion,
  marketing: member.marketingConsent,
  partnerDataSharing: member.partnerDataSharing,
});
