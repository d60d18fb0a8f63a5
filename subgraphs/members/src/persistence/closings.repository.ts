import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Closings and merges (migration 1739110000000-closings): the saga's record per request. Each move out of
 * PENDING is guarded by `status = 'PENDING'`, so it happens once whoever drives it. It decides nothing:
 * the closing service drives the saga.
 */

export interface ClosingRow {
  id: string;
  memberId: string;
  kind: 'CLOSE' | 'MERGE';
  disposition: 'FORFEIT' | 'DONATE' | null;
  charityId: string | null;
  targetMemberId: string | null;
  status: 'PENDING' | 'DONE' | 'FAILED';
  failure: 'OPEN_HOLDS' | null;
  remainingPoints: string | null;
  forfeitedPoints: string | null;
  donatedPoints: string | null;
}

type Raw = {
  id: string;
  member_id: string;
  kind: ClosingRow['kind'];
  disposition: ClosingRow['disposition'];
  charity_id: string | null;
  target_member_id: string | null;
  status: ClosingRow['status'];
  failure: ClosingRow['failure'];
  remaining_points: string | null;
  forfeited_points: string | null;
  donated_points: string | null;
};
const COLUMNS = 'id, member_id, kind, disposition, charity_id, target_member_id, status, failure, remaining_points, forfeited_points, donated_points';
const toRow = (r: Raw): ClosingRow => ({
  id: r.id,
  memberId: r.member_id,
  kind: r.kind,
  disposition: r.disposition,
  charityId: r.charity_id,
  targetMemberId: r.target_member_id,
  status: r.status,
  failure: r.failure,
  remainingPoints: r.remaining_points,
  forfeitedPoints: r.forfeited_points,
  donatedPoints: r.donated_points,
});

export async function insertClosing(
  manager: EntityManager,
  c: { memberId: string; kind: 'CLOSE' | 'MERGE'; disposition: 'FORFEIT' | 'DONATE' | null; charityId: string | null; targetMemberId: string | null; requestedBy: string },
): Promise<string> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO closings (member_id, kind, disposition, charity_id, target_member_id, requested_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [c.memberId, c.kind, c.disposition, c.charityId, c.targetMemberId, c.requestedBy],
  );
  return rows[0].id;
}

export async function findClosing(manager: EntityManager, id: string): Promise<ClosingRow | null> {
  const { rows } = await sql<Raw>(manager, `SELECT ${COLUMNS} FROM closings WHERE id = $1`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** Whether a closing or merge of the member, or a merge into it, is under way. */
export async function closingUnderWay(manager: EntityManager, memberId: string): Promise<boolean> {
  const { rowCount } = await sql(manager, `SELECT 1 FROM closings WHERE status = 'PENDING' AND (member_id = $1 OR target_member_id = $1) LIMIT 1`, [memberId]);
  return rowCount > 0;
}

/** PENDING → DONE with the ledger's figures; false when another driver finished it first. */
export async function finishClosing(manager: EntityManager, id: string, figures: { remaining: bigint; forfeited: bigint; donated: bigint }): Promise<boolean> {
  const { rowCount } = await sql(
    manager,
    `UPDATE closings SET status = 'DONE', finished_at = now(), remaining_points = $2, forfeited_points = $3, donated_points = $4, last_error = NULL
      WHERE id = $1 AND status = 'PENDING'`,
    [id, figures.remaining.toString(), figures.forfeited.toString(), figures.donated.toString()],
  );
  return rowCount > 0;
}

/** PENDING → FAILED (nothing was changed anywhere); false when another driver recorded the outcome first. */
export async function failClosing(manager: EntityManager, id: string, failure: 'OPEN_HOLDS'): Promise<boolean> {
  const { rowCount } = await sql(manager, `UPDATE closings SET status = 'FAILED', failure = $2, finished_at = now() WHERE id = $1 AND status = 'PENDING'`, [id, failure]);
  return rowCount > 0;
}

/** Counts a failed attempt to drive the closing (the reconciler tries again). */
export async function recordClosingError(manager: EntityManager, id: string, error: string): Promise<void> {
  await sql(manager, `UPDATE closings SET attempts = attempts + 1, last_error = left($2, 1000) WHERE id = $1 AND status = 'PENDING'`, [id, error]);
}

/** Closes the member for good (and names the member it was merged into, for a merge). */
export async function markMemberClosed(manager: EntityManager, memberId: string, mergedInto: string | null): Promise<void> {
  await sql(manager, `UPDATE members SET status = 'CLOSED', closed_at = now(), merged_into = $2 WHERE id = $1 AND status = 'ACTIVE'`, [memberId, mergedInto]);
}

/** Ids of closings PENDING for at least `olderThanMs` (database time), oldest first. */
export async function pendingClosingIds(manager: EntityManager, olderThanMs: number, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `SELECT id FROM closings WHERE status = 'PENDING' AND created_at <= now() - make_interval(secs => $1::double precision / 1000) ORDER BY created_at LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows.map((r) => r.id);
}
