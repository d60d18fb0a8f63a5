import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Member registrations from the members subgraph (migration 1741100000000-member-registrations), inside
 * a caller's database transaction. Decides nothing: the registration service validates and calls.
 */

export interface MemberRegistration {
  memberId: string;
  version: number;
  enrolledAt: Date;
  enrolledByPartnerId: string | null;
  referredBy: string | null;
  birthMonth: number | null;
  birthDay: number | null;
  marketingConsent: boolean;
  partnerDataSharing: boolean;
  enrolledCity: string | null;
}

/**
 * Records the registrations: new members are inserted, known ones take the newer version's birthday,
 * consents and city of the enrolling store (a stale or repeated version changes nothing; when and by whom the member joined, and who referred them,
 * never change); a new member who was referred is signalled to the referral sweep. Answers the members that were new.
 */
export async function upsertRegistrations(manager: EntityManager, rows: readonly MemberRegistration[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const { rows: written } = await sql<{ member_id: string; inserted: boolean }>(
    manager,
    `WITH written AS (
       INSERT INTO member_registrations AS r (member_id, version, enrolled_at, enrolled_by_partner_id, referred_by, birth_month, birth_day,
                                              marketing_consent, partner_data_sharing, enrolled_city)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::uuid[], $5::uuid[], $6::smallint[], $7::smallint[], $8::boolean[], $9::boolean[], $10::text[])
       ON CONFLICT (member_id) DO UPDATE SET version = EXCLUDED.version, birth_month = EXCLUDED.birth_month, birth_day = EXCLUDED.birth_day,
              marketing_consent = EXCLUDED.marketing_consent, partner_data_sharing = EXCLUDED.partner_data_sharing, enrolled_city = EXCLUDED.enrolled_city,
              updated_at = now()
        WHERE r.version < EXCLUDED.version
       RETURNING member_id, referred_by, xmax = 0 AS inserted),
     -- A new member who was referred: the referral sweep looks at them (their first earn may already be in).
     signalled AS (INSERT INTO referral_checks (member_id) SELECT member_id FROM written WHERE inserted AND referred_by IS NOT NULL ORDER BY member_id)
     SELECT member_id, inserted FROM written`,
    [
      rows.map((r) => r.memberId),
      rows.map((r) => r.version),
      rows.map((r) => r.enrolledAt.toISOString()),
      rows.map((r) => r.enrolledByPartnerId),
      rows.map((r) => r.referredBy),
      rows.map((r) => r.birthMonth),
      rows.map((r) => r.birthDay),
      rows.map((r) => r.marketingConsent),
      rows.map((r) => r.partnerDataSharing),
      rows.map((r) => r.enrolledCity),
    ],
  );
  return new Set(written.filter((w) => w.inserted).map((w) => w.member_id));
}

/**
 * Opens the points accounts of newly registered members (the welcome sweeper pays from there), marks
 * members who joined longer ago than `welcomeWindowDays` as having had no welcome bonus (they joined before
 * the ledger heard of them: the backlog of a first deployment), and writes member.enrolled for the
 * enrolling partner's webhooks (not for that backlog), all in the caller's transaction.
 */
export async function openRegisteredAccounts(manager: EntityManager, memberIds: readonly string[], welcomeWindowDays: number): Promise<void> {
  if (memberIds.length === 0) return;
  await sql(
    manager,
    `WITH reg AS (SELECT * FROM member_registrations WHERE member_id = ANY($1::uuid[])),
     acc AS (
       INSERT INTO accounts (kind, owner_id, maintained) SELECT 'MEMBER', member_id, true FROM reg ORDER BY member_id
       ON CONFLICT (kind, owner_id) DO NOTHING
     ),
     old AS (
       INSERT INTO welcome_bonuses (member_id, points) SELECT member_id, 0 FROM reg
        WHERE enrolled_at <= now() - make_interval(days => $2) ON CONFLICT (member_id) DO NOTHING
     )
     INSERT INTO event_outbox (type, partner_id, member_id, payload, occurred_at)
     SELECT 'member.enrolled', enrolled_by_partner_id, member_id,
            jsonb_build_object('memberId', member_id, 'partnerId', enrolled_by_partner_id, 'enrolledAt', enrolled_at), enrolled_at
       FROM reg WHERE enrolled_by_partner_id IS NOT NULL AND enrolled_at > now() - make_interval(days => $2) ORDER BY member_id`,
    [[...memberIds], welcomeWindowDays],
  );
}
