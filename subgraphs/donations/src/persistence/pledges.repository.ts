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

/** An event to read facts for (eventFactsMany). */
export interface EventRef {
  eventId: string;
  partnerId: string;
  memberId: string;
  occurredAt: Date;
  earn: boolean;
}

/**
 * In one statement, for each event given (in that order): whether it was consumed already and, for an earn,
 * the partner's pledge and the member's cause (with its charity's standing) in force at the earn's time.
 */
export async function eventFactsMany(manager: EntityManager, events: readonly EventRef[]): Promise<EventFacts[]> {
  const { rows } = await sql<EventFacts>(
    manager,
    `SELECT (SELECT kind FROM pledge_accruals WHERE event_id = e.event_id) AS known, p.id AS pledge_id, p.basis_points, c.charity_id, c.status, c.verification
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::boolean[]) WITH ORDINALITY AS e (event_id, partner_id, member_id, occurred_at, earn, n)
       LEFT JOIN LATERAL (SELECT id, basis_points FROM pledges WHERE e.earn AND partner_id = e.partner_id AND valid_from <= e.occurred_at
                           ORDER BY valid_from DESC, created_at DESC LIMIT 1) p ON true
       LEFT JOIN LATERAL (SELECT mc.charity_id, ch.status, ch.verification FROM member_causes mc LEFT JOIN charities ch ON ch.id = mc.charity_id
                           WHERE e.earn AND mc.member_id = e.member_id AND mc.valid_from <= e.occurred_at ORDER BY mc.valid_from DESC, mc.id DESC LIMIT 1) c ON true
      ORDER BY e.n`,
    [events.map((e) => e.eventId), events.map((e) => e.partnerId), events.map((e) => e.memberId), events.map((e) => e.occurredAt), events.map((e) => e.earn)],
  );
  return rows;
}

/** eventFactsMany for one event. */
export async function eventFacts(manager: EntityManager, e: EventRef): Promise<EventFacts> {
  return (await eventFactsMany(manager, [e]))[0];
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

/** An accrual to record (insertAccruals). */
export interface NewAccrual {
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
}

/**
 * Records the accruals given, in one statement; answers their ids in the order given. An event id recorded
 * before (or by a concurrent consumer) is refused by the unique index: the caller's transaction fails.
 */
export async function insertAccruals(manager: EntityManager, accruals: readonly NewAccrual[]): Promise<string[]> {
  if (accruals.length === 0) return [];
  const { rows } = await sql<{ id: string; event_id: string }>(
    manager,
    `INSERT INTO pledge_accruals (event_id, kind, earn_id, partner_id, member_id, charity_id, pledge_id, basis_points, purchase_minor, amount_minor, currency, occurred_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::integer[], $9::bigint[], $10::bigint[], $11::text[], $12::timestamptz[])
     RETURNING id, event_id`,
    [
      accruals.map((a) => a.eventId),
      accruals.map((a) => a.kind),
      accruals.map((a) => a.earnId),
      accruals.map((a) => a.partnerId),
      accruals.map((a) => a.memberId),
      accruals.map((a) => a.charityId),
      accruals.map((a) => a.pledgeId),
      accruals.map((a) => a.basisPoints),
      accruals.map((a) => a.purchaseMinor.toString()),
      accruals.map((a) => a.amountMinor.toString()),
      accruals.map((a) => a.currency),
      accruals.map((a) => a.occurredAt),
    ],
  );
  const ids = new Map(rows.map((r) => [r.event_id, r.id]));
  return accruals.map((a) => ids.get(a.eventId) as string);
}

/** insertAccruals for one accrual. */
export async function insertAccrual(manager: EntityManager, a: NewAccrual): Promise<string> {
  return (await insertAccruals(manager, [a]))[0];
}
