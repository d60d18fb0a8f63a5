import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** Of these members, those who consent to partner data sharing (members.partner_data_sharing), open or not. */
export async function membersSharingWithPartners(manager: EntityManager, memberIds: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ id: string }>(manager, 'SELECT id FROM members WHERE id = ANY($1::uuid[]) AND partner_data_sharing', [[...memberIds]]);
  return rows.map((r) => r.id);
}
