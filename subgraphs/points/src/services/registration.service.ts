import { type DataSource } from 'typeorm';
import { badInput, requireService, validate, type Viewer } from '../../../../lib/src';
import { openRegisteredAccounts, upsertRegistrations, type MemberRegistration } from '../persistence/registrations.repository';
import { type LedgerConfig } from './ledger.config';

export interface MemberRegistrationInput {
  memberId: string;
  version: number;
  enrolledAt: string;
  enrolledByPartnerId?: string | null;
  referredBy?: string | null;
  birthMonth?: number | null;
  birthDay?: number | null;
  /** Consents as the member gave them (segments; personal offers need marketing). Absent: not given. */
  marketingConsent?: boolean | null;
  partnerDataSharing?: boolean | null;
  /** City of the store the member enrolled at, when they enrolled at one that has a city. */
  enrolledCity?: string | null;
}

/** Registrations per call at most. */
export const MAX_REGISTRATIONS = 500;

/**
 * Members as the members subgraph registers them (its registration relay, internal `registerMembers`,
 * scope ledger:members): the facts the bonuses need, kept in member_registrations. A new member's points
 * account opens at once (so the welcome bonus follows within one sweep, before any purchase) and the
 * enrolling partner hears member.enrolled. Idempotent by member and version: a retry, or an older version
 * arriving late, changes nothing. Raises: FORBIDDEN (anyone but the members service), BAD_USER_INPUT.
 */
export class RegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LedgerConfig,
  ) {}

  async register(viewer: Viewer, input: readonly MemberRegistrationInput[]): Promise<number> {
    requireService(viewer, 'members', 'ledger:members');
    if (input.length > MAX_REGISTRATIONS) throw badInput('members', `must be at most ${MAX_REGISTRATIONS}`);
    const rows = input.map((m, i) => validRegistration(m, `members.${i}.`));
    // The newest version of each member (a batch holds each once; a caller's repeat is harmless).
    const byMember = new Map<string, MemberRegistration>();
    for (const r of rows) if ((byMember.get(r.memberId)?.version ?? 0) < r.version) byMember.set(r.memberId, r);
    return this.dataSource.transaction(async (manager) => {
      const inserted = await upsertRegistrations(manager, [...byMember.values()]);
      await openRegisteredAccounts(manager, [...inserted], this.config.bonuses.welcomeWindowDays);
      return inserted.size;
    });
  }
}

function validRegistration(m: MemberRegistrationInput, prefix: string): MemberRegistration {
  const memberId = validate.uuid(`${prefix}memberId`, m.memberId);
  if (!Number.isSafeInteger(m.version) || m.version < 1) throw badInput(`${prefix}version`, 'must be a positive whole number');
  const birthMonth = m.birthMonth ?? null;
  const birthDay = m.birthDay ?? null;
  if ((birthMonth === null) !== (birthDay === null)) throw badInput(`${prefix}birthDay`, 'birth month and day come together');
  if (birthMonth !== null && (!Number.isInteger(birthMonth) || birthMonth < 1 || birthMonth > 12)) throw badInput(`${prefix}birthMonth`, 'must be 1 to 12');
  if (birthDay !== null && (!Number.isInteger(birthDay) || birthDay < 1 || birthDay > 31)) throw badInput(`${prefix}birthDay`, 'must be 1 to 31');
  const referredBy = m.referredBy == null ? null : validate.uuid(`${prefix}referredBy`, m.referredBy);
  if (referredBy === memberId) throw badInput(`${prefix}referredBy`, 'a member cannot refer themself');
  return {
    memberId,
    version: m.version,
    enrolledAt: validate.instant(`${prefix}enrolledAt`, m.enrolledAt),
    enrolledByPartnerId: m.enrolledByPartnerId == null ? null : validate.uuid(`${prefix}enrolledByPartnerId`, m.enrolledByPartnerId),
    referredBy,
    birthMonth,
    birthDay,
    marketingConsent: m.marketingConsent ?? false,
    partnerDataSharing: m.partnerDataSharing ?? false,
    enrolledCity: m.enrolledCity == null || m.enrolledCity.trim() === '' ? null : validate.text(`${prefix}enrolledCity`, m.enrolledCity, 100),
  };
}
