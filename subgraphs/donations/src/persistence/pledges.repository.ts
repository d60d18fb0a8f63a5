import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Pledges (appended, effective dated), members' causes (a history, appended) and pledge accruals (one
 * per consumed earn event). It decides nothing: the pledges service decides what an event accrues.
 */

export type AccrualKind = 'ACCRUAL' | 'REVERSAL' | 'NO_PLEDGE';

/** Appends a pledge in force from `validFrom` (null: now, by the database clock). */
export async function insertPledge(manager: EntityManager, partnerId: string, basisPoints: number, validFrom: Date | null): Promise<{ id: string; validFrom: Date }> {
  const { rows } = await sql<{ id: string; valid_from: Date }>(
    manager,
    `INSERT INTO pledges (partner_id, basis_points, valid_from) VALUES ($1, $2, coalesce($3, clock_timestamp())) RETURNING id, valid_from`,
    [partnerId, basisPoints, validFrom],
  );
  return { id: rows[0].id, validFrom: rows[0].valid_from };
}

/** Appends the member's cause from now on (null: none). */
export async function insertMemberCause(manager: EntityManager, memberId: string, charityId: string | null): Promise<void> {
  await sql(manager, 'INSERT INTO member_causes (member_id, charity_id) VALUES ($1, $2)', [memberId, charityId]);
}

/** The member's cause in force now (null: none). */
export async function currentCause(manager: EntityManager, memberId: string): Promise<string | null> {
  const { rows } = await sql<{ charity_id: string | null }>(
    manager,
    'SELECT charity_id FROM member_causes WHERE member_id = $1 ORDER BY valid_from DESC, id DESC LIMIT 1',
    [memberId],
  );
  return rows[0]?.charity_id ?? null;
}

export interface EventFacts {
  /** The outcome already recorded for this event id, if it was consumed before. */
  known: AccrualKind | null;
  pledge_id: string | null;
  basis_points: number | null;
  charity_id: string | null;
  status: string | null;
  verification: string | null;
}

/**
 * In one statement: whether the event was consumed already and, for an earn, the partner's pledge and
 * the member's cause (with its charity's standing) in force at the earn's time.
 */
export async function eventFacts(manager: EntityManager, e: { eventId: string; partnerId: string; memberId: string; occurredAt: Date; earn: boolean }): Promise<EventFacts> {
  const { rows } = await sql<EventFacts>(
    manager,
    `SELECT (SELECT kind FROM pledge_accruals WHERE event_id = $1) AS known, p.id AS pledge_id, p.basis_points, c.charity_id, c.status, c.verification
       FROM (SELECT $5::boolean AS earn) e
       LEFT JOIN LATERAL (SELECT id, basis_points FROM pledges WHERE e.earn AND partner_id = $2 AND valid_from <= $4
                           ORDER BY valid_from DESC, created_at DESC LIMIT 1) p ON true
       LEFT JOIN LATERAL (SELECT mc.charity_id, ch.status, ch.verification FROM member_causes mc LEFT JOIN charities ch ON ch.id = mc.charity_id
                           WHERE e.earn AND mc.member_id = $3 AND mc.valid_from <= $4 ORDER BY mc.valid_from DESC, mc.id DESC LIMIT 1) c ON true`,
    [e.eventId, e.partnerId, e.memberId, e.occurredAt, e.earn],
  );
  return rows[0];
}

export interface StoredAccrual {
  kind: AccrualKind;
  charity_id: string | null;
  pledge_id: string | null;
  basis_points: number | null;
  amount_minor: string;
}

/** The accrual recorded for an event id (an earn's, when its reversal arrives); null when not consumed yet. */
export async function accrualOfEvent(manager: EntityManager, eventId: string): Promise<StoredAccrual | null> {
  const { rows } = await sql<StoredAccrual>(
    manager,
    'SELECT kind, charity_id, pledge_id, basis_points, amount_minor::text FROM pledge_accruals WHERE event_id = $1',
    [eventId],
  );
  return rows[0] ?? null;
}

/** Records an event's outcome (the event id is unique: a concurrent replay waits here and then fails). */
export async function insertAccrual(
  manager: EntityManager,
  a: {
    eventId: string;
    kind: AccrualKind;
    earnId: string;
    partnerId: string;
    memberId: string;
    charityId: string | null;
    pledgeId: string | null;
    basisPoints: number | null;
    purchaseMinor: bigint;
    amountMinor: bigint;
    currency: string;
    occurredAt: Date;
  },
): Promise<string> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO pledge_accruals (event_id, kind, earn_id, partner_id, member_id, charity_id, pledge_id, basis_points, purchase_minor, amount_minor, currency, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [
      a.eventId,
      a.kind,
      a.earnId,
      a.partnerId,
      a.memberId,
      a.charityId,
      a.pledgeId,
      a.basisPoints,
      a.purchaseMinor.toString(),
      a.amountMinor.toString(),
      a.currency,
      a.occurredAt,
    ],
  );
  return rows[0].id;
}
