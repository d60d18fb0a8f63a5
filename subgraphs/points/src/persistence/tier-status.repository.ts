import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type TierOverride, type TierRecord } from '../domain/tier.rules';

/**
 * What keeps a member's tier besides qualifying points (migration 1741310000000-tier-retention): the
 * reached tier and its retention end (tier_status, kept by the trigger on qualifying_points) and the admin's
 * overrides (tier_overrides, appended). The earn reads both inside its pricing context (the two JSON
 * subqueries below, `$2` being the member), so pricing with the effective tier costs no extra round trip.
 */

/** The member's tier_status row as JSON (null: none); `$2` is the member id. */
export const TIER_RECORD_JSON = `(SELECT json_build_object('threshold', s.held_threshold::text, 'until', s.retained_until) FROM tier_status s WHERE s.member_id = $2)`;

/** The member's newest override if still in force, as JSON (null: none); `$2` is the member id. */
export const TIER_OVERRIDE_JSON = `(SELECT json_build_object('tier', o.tier_name, 'endsAt', o.ends_at, 'reason', o.reason)
    FROM (SELECT tier_name, ends_at, reason FROM tier_overrides WHERE member_id = $2 ORDER BY created_at DESC LIMIT 1) o WHERE o.ends_at > now())`;

export type TierRecordJson = { threshold: string; until: string } | null;
export type TierOverrideJson = { tier: string; endsAt: string; reason: string } | null;

export const fromTierRecordJson = (j: TierRecordJson): TierRecord | null => (j ? { heldThreshold: BigInt(j.threshold), retainedUntil: new Date(j.until) } : null);
export const fromTierOverrideJson = (j: TierOverrideJson): TierOverride | null => (j ? { tierName: j.tier, endsAt: new Date(j.endsAt), reason: j.reason } : null);

/** The member's record and override in force, in one statement. */
export async function readTierKeepers(manager: EntityManager, memberId: string): Promise<{ record: TierRecord | null; override: TierOverride | null }> {
  const { rows } = await sql<{ record: TierRecordJson; override: TierOverrideJson }>(manager, `SELECT ${TIER_RECORD_JSON.replaceAll('$2', '$1')} AS record, ${TIER_OVERRIDE_JSON.replaceAll('$2', '$1')} AS override`, [memberId]);
  return { record: fromTierRecordJson(rows[0].record), override: fromTierOverrideJson(rows[0].override) };
}

export interface TierOverrideRow {
  id: string;
  member_id: string;
  tier_name: string;
  ends_at: Date;
  reason: string;
  set_by: string;
  created_at: Date;
}

export async function insertTierOverride(manager: EntityManager, o: { memberId: string; tierName: string; endsAt: Date; reason: string; setBy: string }): Promise<TierOverrideRow> {
  const { rows } = await sql<TierOverrideRow>(
    manager,
    `INSERT INTO tier_overrides (member_id, tier_name, ends_at, reason, set_by) VALUES ($1, $2, $3, $4, $5)
     RETURNING id, member_id, tier_name, ends_at, reason, set_by, created_at`,
    [o.memberId, o.tierName, o.endsAt, o.reason, o.setBy],
  );
  return rows[0];
}

export async function tierOverrideById(manager: EntityManager, id: string): Promise<TierOverrideRow | null> {
  const { rows } = await sql<TierOverrideRow>(manager, 'SELECT id, member_id, tier_name, ends_at, reason, set_by, created_at FROM tier_overrides WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** Whether the database clock has passed `at`. */
export async function isPast(manager: EntityManager, at: Date): Promise<boolean> {
  const { rows } = await sql<{ past: boolean }>(manager, 'SELECT $1::timestamptz <= now() AS past', [at]);
  return rows[0].past;
}
