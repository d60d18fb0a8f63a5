import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** Identity links: a token issuer and subject, linked to the member their sign-up created (one member per identity). */

/**
 * Links the identity to `memberId`, in the caller's transaction; false when the identity is already linked.
 * A concurrent sign-up of the same identity waits here on the key until the other commits or rolls back.
 */
export async function insertIdentityLink(manager: EntityManager, issuer: string, subject: string, memberId: string): Promise<boolean> {
  const { rows } = await sql(manager, 'INSERT INTO identity_links (issuer, subject, member_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING member_id', [
    issuer,
    subject,
    memberId,
  ]);
  return rows.length === 1;
}

/** The member an identity is linked to; null when none. */
export async function linkedMemberId(manager: EntityManager, issuer: string, subject: string): Promise<string | null> {
  const { rows } = await sql<{ member_id: string }>(manager, 'SELECT member_id FROM identity_links WHERE issuer = $1 AND subject = $2', [issuer, subject]);
  return rows[0]?.member_id ?? null;
}
