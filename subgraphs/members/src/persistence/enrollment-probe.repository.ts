import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/** How many enrolments of an already enrolled email one partner may have refused within the window. */
export interface EnrollmentProbeLimits {
  maxRefusals: number;
  windowSeconds: number;
}

/** Whether the partner has had `maxRefusals` duplicate-email refusals within the window (database time). */
export async function enrollmentProbesExhausted(manager: EntityManager, partnerId: string, limits: EnrollmentProbeLimits): Promise<boolean> {
  const { rows } = await sql<{ exhausted: boolean }>(
    manager,
    `SELECT count(*) >= $2 AS exhausted FROM (
       SELECT 1 FROM enrollment_email_refusals WHERE partner_id = $1 AND refused_at > now() - make_interval(secs => $3) LIMIT $2
     ) recent`,
    [partnerId, limits.maxRefusals, limits.windowSeconds],
  );
  return rows[0].exhausted;
}

/**
 * Counts one duplicate-email refusal of the partner, in its own statement (the enrolment's transaction has
 * rolled back), and forgets the partner's refusals older than the window. Returns the partner's refusals
 * within the window, this one included.
 */
export async function recordEnrollmentEmailRefusal(manager: EntityManager, partnerId: string, limits: EnrollmentProbeLimits): Promise<number> {
  const { rows } = await sql<{ n: string }>(
    manager,
    `WITH added AS (INSERT INTO enrollment_email_refusals (partner_id) VALUES ($1) RETURNING id),
          forgotten AS (DELETE FROM enrollment_email_refusals WHERE partner_id = $1 AND refused_at <= now() - make_interval(secs => $2) RETURNING id)
     SELECT (count(*) + 1)::text AS n FROM enrollment_email_refusals WHERE partner_id = $1 AND refused_at > now() - make_interval(secs => $2)`,
    [partnerId, limits.windowSeconds],
  );
  return Number(rows[0].n);
}
