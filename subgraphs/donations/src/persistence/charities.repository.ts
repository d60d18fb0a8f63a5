import { type EntityManager, In } from 'typeorm';
import { pageAfter, sql, type Page } from '../../../../lib/src';
import { CharityEntity } from './charity.entity';

/**
 * Charities and their goals, read and written inside the caller's transaction (or on its manager). It
 * decides nothing: the charities service checks who may do what and which values are valid.
 */

export interface GoalRow {
  id: string;
  title: string;
  target_points: string;
  starts_at: Date;
  ends_at: Date;
  progress_points: string;
}

/** What decides whether a charity receives giving: ACTIVE and VERIFIED only. */
export interface CharityStanding {
  status: string;
  verification: string;
}

/** Inserts a charity; null when another has the same name (case-insensitive). Verified ones get their time now. */
export async function insertCharity(manager: EntityManager, c: { name: string; description: string | null; verified: boolean }): Promise<string | null> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO charities (name, name_normalized, description, verification, verified_at)
     VALUES ($1, lower($1), $2, $3, CASE WHEN $3 = 'VERIFIED' THEN now() END)
     ON CONFLICT (name_normalized) DO NOTHING RETURNING id`,
    [c.name, c.description, c.verified ? 'VERIFIED' : 'UNVERIFIED'],
  );
  return rows[0]?.id ?? null;
}

/**
 * Changes the given fields of a charity (null: unchanged); `verified_at` moves when it becomes VERIFIED
 * and clears when it leaves VERIFIED. False when there is no such charity.
 */
export async function updateCharity(
  manager: EntityManager,
  id: string,
  change: { status: string | null; verification: string | null; description: string | null },
): Promise<boolean> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `UPDATE charities SET status = coalesce($2, status), verification = coalesce($3, verification), description = coalesce($4, description),
            verified_at = CASE WHEN $3 = 'VERIFIED' AND verification <> 'VERIFIED' THEN now() WHEN $3 IS NULL OR $3 = 'VERIFIED' THEN verified_at END
      WHERE id = $1 RETURNING id`,
    [id, change.status, change.verification, change.description],
  );
  return rows.length > 0;
}

export async function charityExists(manager: EntityManager, id: string): Promise<boolean> {
  const { rowCount } = await sql(manager, 'SELECT 1 FROM charities WHERE id = $1', [id]);
  return rowCount > 0;
}

/**
 * A charity's status and verification; with `lockForShare`, the row stays as read until the caller's
 * transaction ends (a donation written against it cannot race a deactivation). Null when missing.
 */
export async function charityStanding(manager: EntityManager, id: string, lockForShare = false): Promise<CharityStanding | null> {
  const { rows } = await sql<CharityStanding>(
    manager,
    lockForShare ? 'SELECT status, verification FROM charities WHERE id = $1 FOR SHARE' : 'SELECT status, verification FROM charities WHERE id = $1',
    [id],
  );
  return rows[0] ?? null;
}

export async function findCharity(manager: EntityManager, id: string): Promise<CharityEntity | null> {
  return manager.getRepository(CharityEntity).findOneBy({ id });
}

export async function findCharities(manager: EntityManager, ids: readonly string[]): Promise<CharityEntity[]> {
  return manager.getRepository(CharityEntity).findBy({ id: In([...ids]) });
}

/** Charities oldest first, a page after the cursor `after`. */
export async function charityPage(manager: EntityManager, first: number, after?: string | null): Promise<Page<CharityEntity>> {
  return pageAfter(manager.getRepository(CharityEntity), { table: 'charities', timeProperty: 'createdAt', timeColumn: 'created_at', first, after });
}

export async function insertGoal(
  manager: EntityManager,
  g: { charityId: string; title: string; targetPoints: number; startsAt: Date; endsAt: Date },
): Promise<string> {
  const { rows } = await sql<{ id: string }>(
    manager,
    'INSERT INTO charity_goals (charity_id, title, target_points, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [g.charityId, g.title, g.targetPoints, g.startsAt, g.endsAt],
  );
  return rows[0].id;
}

/** A charity's goals (or one of them) with their live progress: confirmed donated and matched points in the window. */
export async function goalsWithProgress(manager: EntityManager, charityId: string, goalId?: string): Promise<GoalRow[]> {
  const { rows } = await sql<GoalRow>(
    manager,
    `SELECT g.id, g.title, g.target_points::text AS target_points, g.starts_at, g.ends_at,
            ((SELECT coalesce(sum(d.points), 0) FROM donations d WHERE d.charity_id = g.charity_id AND d.status = 'CONFIRMED'
               AND d.created_at >= g.starts_at AND d.created_at < g.ends_at)
           + (SELECT coalesce(sum(m.points), 0) FROM matches m WHERE m.charity_id = g.charity_id
               AND m.created_at >= g.starts_at AND m.created_at < g.ends_at))::text AS progress_points
       FROM charity_goals g WHERE g.charity_id = $1 AND ($2::uuid IS NULL OR g.id = $2) ORDER BY g.starts_at, g.id`,
    [charityId, goalId ?? null],
  );
  return rows;
}
