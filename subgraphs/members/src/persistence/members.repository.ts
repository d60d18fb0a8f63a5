import { type EntityManager } from 'typeorm';
import { pageAfter, selectEntities, sql, type Page } from '../../../../lib/src';
import { MemberEntity } from './member.entity';

/**
 * Members. It decides nothing: the members service validates an enrolment, draws card numbers and
 * referral codes, and decides who may see which member.
 */

/** The member whose referral code this is; null when none. */
export async function memberIdByReferralCode(manager: EntityManager, referralCode: string): Promise<string | null> {
  const { rows } = await sql<{ id: string }>(manager, 'SELECT id FROM members WHERE referral_code = $1', [referralCode]);
  return rows[0]?.id ?? null;
}

/**
 * Inserts a member; false when a unique value is taken (the email, or the drawn card number or referral
 * code): nothing is written then, and the caller tells which.
 */
export async function insertMember(
  manager: EntityManager,
  m: {
    id: string;
    displayName: string;
    email: string;
    emailNormalized: string;
    birthDate: string | null;
    cardNumber: string;
    referralCode: string;
    referredBy: string | null;
    enrolledByPartnerId: string | null;
    /** The enrolling partner's store the member joined at, and its city then. */
    enrolledStore: { id: string; city: string | null } | null;
  },
): Promise<boolean> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO members (id, display_name, email, email_normalized, birth_date, card_number, referral_code, referred_by, enrolled_by_partner_id, enrolled_store_id, enrolled_city)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
    [m.id, m.displayName, m.email, m.emailNormalized, m.birthDate, m.cardNumber, m.referralCode, m.referredBy, m.enrolledByPartnerId, m.enrolledStore?.id ?? null, m.enrolledStore?.city ?? null],
  );
  return rows.length > 0;
}

/** Whether a member with this normalized email exists. */
export async function emailEnrolled(manager: EntityManager, emailNormalized: string): Promise<boolean> {
  const taken = await sql(manager, 'SELECT 1 FROM members WHERE email_normalized = $1', [emailNormalized]);
  return taken.rowCount > 0;
}

export async function findMember(manager: EntityManager, id: string): Promise<MemberEntity | null> {
  return manager.getRepository(MemberEntity).findOneBy({ id });
}

/** A member by id, in one cached statement (the hot read); null when missing. */
export async function memberById(manager: EntityManager, id: string): Promise<MemberEntity | null> {
  const [member] = await selectEntities(manager, MemberEntity, 'id = $1', [id]);
  return member ?? null;
}

/** Members by id in one statement (missing ones are left out). */
export async function membersByIds(manager: EntityManager, ids: readonly string[]): Promise<MemberEntity[]> {
  return selectEntities(manager, MemberEntity, 'id = ANY($1::uuid[])', [[...ids]]);
}

/** Members oldest first, a page after the cursor `after`. */
export async function memberPage(manager: EntityManager, first: number, after?: string | null): Promise<Page<MemberEntity>> {
  return pageAfter(manager.getRepository(MemberEntity), { table: 'members', timeProperty: 'enrolledAt', timeColumn: 'enrolled_at', first, after });
}

/** A member by id, its row locked for the rest of the caller's transaction (writes for one member serialise here). */
export async function lockMember(manager: EntityManager, id: string): Promise<MemberEntity | null> {
  const [member] = await selectEntities(manager, MemberEntity, 'id = $1 FOR UPDATE', [id]);
  return member ?? null;
}
