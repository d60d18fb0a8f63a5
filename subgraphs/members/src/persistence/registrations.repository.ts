import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * The ledger registration outbox (migration 1741100000000-ledger-registrations): which members' facts the
 * points subgraph has yet to hear, inside a caller's database transaction. It decides nothing: the
 * registration service sends and retries.
 */

/** The facts the ledger keeps of a member, as sent (read from `members` when sent). */
export interface LedgerRegistration {
  memberId: string;
  version: number;
  enrolledAt: string;
  enrolledByPartnerId: string | null;
  referredBy: string | null;
  birthMonth: number | null;
  birthDay: number | null;
  marketingConsent: boolean;
  partnerDataSharing: boolean;
  /** City of the store the member enrolled at. */
  enrolledCity: string | null;
}

/** Queues a new member's registration (in the enrolment's transaction). */
export async function queueRegistration(manager: EntityManager, memberId: string): Promise<void> {
  await sql(manager, 'INSERT INTO ledger_registrations (member_id) VALUES ($1) ON CONFLICT (member_id) DO NOTHING', [memberId]);
}

/** A member's registered facts changed (birth date set, changed or erased; consents changed): send them again, now. */
export async function bumpRegistration(manager: EntityManager, memberId: string): Promise<void> {
  await sql(
    manager,
    `INSERT INTO ledger_registrations (member_id) VALUES ($1)
     ON CONFLICT (member_id) DO UPDATE SET version = ledger_registrations.version + 1, next_attempt_at = now(), attempts = 0, last_error = NULL`,
    [memberId],
  );
}

/**
 * Up to `limit` registrations due to be sent, with the member's facts as they are now, locked for the
 * caller's transaction (SKIP LOCKED: relays on several instances share the work and never send one twice at once).
 */
export async function claimDueRegistrations(manager: EntityManager, limit: number): Promise<LedgerRegistration[]> {
  const { rows } = await sql<{
    member_id: string;
    version: number;
    enrolled_at: Date;
    enrolled_by_partner_id: string | null;
    referred_by: string | null;
    birth_month: number | null;
    birth_day: number | null;
    marketing_consent: boolean;
    partner_data_sharing: boolean;
    enrolled_city: string | null;
  }>(
    manager,
    `SELECT r.member_id, r.version, m.enrolled_at, m.enrolled_by_partner_id, m.referred_by,
            extract(month FROM m.birth_date)::int AS birth_month, extract(day FROM m.birth_date)::int AS birth_day,
            m.marketing_consent, m.partner_data_sharing, m.enrolled_city
       FROM ledger_registrations r JOIN members m ON m.id = r.member_id
      WHERE r.sent_version < r.version AND r.next_attempt_at <= now()
      ORDER BY r.next_attempt_at, r.member_id LIMIT $1 FOR UPDATE OF r SKIP LOCKED`,
    [limit],
  );
  return rows.map((r) => ({
    memberId: r.member_id,
    version: r.version,
    enrolledAt: r.enrolled_at.toISOString(),
    enrolledByPartnerId: r.enrolled_by_partner_id,
    referredBy: r.referred_by,
    birthMonth: r.birth_month,
    birthDay: r.birth_day,
    marketingConsent: r.marketing_consent,
    partnerDataSharing: r.partner_data_sharing,
    enrolledCity: r.enrolled_city,
  }));
}

/** The ledger has these registrations at these versions. */
export async function markRegistrationsSent(manager: EntityManager, sent: readonly { memberId: string; version: number }[]): Promise<void> {
  if (sent.length === 0) return;
  await sql(
    manager,
    `UPDATE ledger_registrations r SET sent_version = GREATEST(r.sent_version, s.version), attempts = 0, last_error = NULL
       FROM unnest($1::uuid[], $2::int[]) AS s (member_id, version) WHERE r.member_id = s.member_id`,
    [sent.map((s) => s.memberId), sent.map((s) => s.version)],
  );
}

/** Sending failed: try these again later (1 s, doubling per attempt, at most `maxDelaySeconds`), keeping the error. */
export async function deferRegistrations(manager: EntityManager, memberIds: readonly string[], maxDelaySeconds: number, error: string): Promise<void> {
  await sql(
    manager,
    `UPDATE ledger_registrations SET attempts = attempts + 1, last_error = $3,
            next_attempt_at = now() + make_interval(secs => least($2::float8, power(2, least(attempts, 20))))
      WHERE member_id = ANY($1::uuid[])`,
    [[...memberIds], maxDelaySeconds, error.slice(0, 500)],
  );
}
