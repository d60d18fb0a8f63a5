import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type ProfileChanges } from '../domain/profile.rules';

/** A member's profile columns. The profile service validates; a taken email surfaces as the unique violation. */

const COLUMNS: Record<keyof ProfileChanges, string> = {
  displayName: 'display_name',
  email: 'email',
  emailNormalized: 'email_normalized',
  phone: 'phone',
  birthDate: 'birth_date',
  preferredLanguage: 'preferred_language',
};

/** Writes the given profile fields of the member in the caller's transaction; false when there is no such member. */
export async function updateProfile(manager: EntityManager, memberId: string, changes: ProfileChanges): Promise<boolean> {
  const entries = (Object.keys(COLUMNS) as (keyof ProfileChanges)[]).filter((k) => changes[k] !== undefined);
  const assignments = entries.map((k, i) => `${COLUMNS[k]} = $${i + 2}`).join(', ');
  const { rowCount } = await sql(manager, `UPDATE members SET ${assignments} WHERE id = $1`, [memberId, ...entries.map((k) => changes[k])]);
  return rowCount > 0;
}
