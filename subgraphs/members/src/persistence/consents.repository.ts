import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type ConsentSource, type ConsentState } from '../domain/consent.rules';

/** A member's consents: the history (append-only) and the current state kept on the member row. */

export interface ConsentRecord extends ConsentState {
  recordedAt: Date;
  source: ConsentSource;
  /** The enrolling partner, for a till's enrolment. */
  partnerId: string | null;
}

/** The member's current consents, the member row locked for the caller's transaction; null when no such member. */
export async function lockCurrentConsents(manager: EntityManager, memberId: string): Promise<ConsentState | null> {
  const { rows } = await sql<{ terms_version: string | null; marketing_consent: boolean; partner_data_sharing: boolean }>(
    manager,
    'SELECT terms_version, marketing_consent, partner_data_sharing FROM members WHERE id = $1 FOR UPDATE',
    [memberId],
  );
  const row = rows[0];
  return row ? { termsVersion: row.terms_version, marketing: row.marketing_consent, partnerDataSharing: row.partner_data_sharing } : null;
}

/** Appends `state` to the member's history and makes it the current state, in the caller's transaction. */
export async function recordConsents(manager: EntityManager, memberId: string, source: ConsentSource, partnerId: string | null, state: ConsentState): Promise<void> {
  await sql(
    manager,
    `WITH history AS (
       INSERT INTO member_consents (member_id, source, partner_id, terms_version, marketing, partner_data_sharing)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id)
     UPDATE members SET terms_version = $4, marketing_consent = $5, partner_data_sharing = $6 WHERE id = $1`,
    [memberId, source, partnerId, state.termsVersion, state.marketing, state.partnerDataSharing],
  );
}

/** The member's consent history, oldest first. */
export async function consentHistory(manager: EntityManager, memberId: string): Promise<ConsentRecord[]> {
  const { rows } = await sql<{ recorded_at: Date; source: ConsentSource; partner_id: string | null; terms_version: string | null; marketing: boolean; partner_data_sharing: boolean }>(
    manager,
    'SELECT recorded_at, source, partner_id, terms_version, marketing, partner_data_sharing FROM member_consents WHERE member_id = $1 ORDER BY id',
    [memberId],
  );
  return rows.map((r) => ({
    recordedAt: r.recorded_at,
    source: r.source,
    partnerId: r.partner_id,
    termsVersion: r.terms_version,
    marketing: r.marketing,
    partnerDataSharing: r.partner_data_sharing,
  }));
}
