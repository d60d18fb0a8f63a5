import { type EntityManager } from 'typeorm';
import { MAX_PAGE_SIZE, sql } from '../../../../lib/src';

/**
 * Partners' contract terms, versioned by time: a version is appended, never changed (the table refuses
 * UPDATE and DELETE), and is in force from its `valid_from` until the next one's. It decides nothing:
 * the partners service validates a change and decides when it takes effect.
 */

/** One version of a partner's contract terms, in force from `validFrom` until `validUntil` (null: open). */
export interface TermsVersion {
  partnerId: string;
  earnRate: string;
  issuePrice: string;
  reimbursement: string;
  validFrom: Date;
  validUntil: Date | null;
}

interface TermsRow {
  id: string;
  partner_id: string;
  earn_rate: string;
  issue_price: string;
  reimbursement: string;
  valid_from: Date;
  valid_until: Date | null;
}

const toVersion = (r: TermsRow): TermsVersion => ({
  partnerId: r.partner_id,
  earnRate: r.earn_rate,
  issuePrice: r.issue_price,
  reimbursement: r.reimbursement,
  validFrom: r.valid_from,
  validUntil: r.valid_until,
});

/** Every version with the time the next one takes over: the base of all terms reads. */
const VERSIONS = `SELECT id::text, partner_id, earn_rate::text, issue_price::text, reimbursement::text, valid_from,
         lead(valid_from) OVER (PARTITION BY partner_id ORDER BY valid_from) AS valid_until
    FROM partner_terms WHERE partner_id = ANY($1::uuid[])`;

/** A new partner's first terms, in force from now. */
export async function insertFirstTerms(manager: EntityManager, partnerId: string, t: { earnRate: string; issuePrice: string; reimbursement: string }): Promise<void> {
  await sql(manager, `INSERT INTO partner_terms (partner_id, earn_rate, issue_price, reimbursement) VALUES ($1, $2, $3, $4)`, [
    partnerId,
    t.earnRate,
    t.issuePrice,
    t.reimbursement,
  ]);
}

/** When a change asked for `validFrom` (null: now) takes effect, by the database clock, and whether that is in the past. */
export async function effectiveFrom(manager: EntityManager, validFrom: Date | null): Promise<{ validFrom: Date; past: boolean }> {
  const { rows } = await sql<{ valid_from: Date; past: boolean }>(manager, 'SELECT coalesce($1::timestamptz, now()) AS valid_from, $1::timestamptz < now() AS past', [
    validFrom,
  ]);
  return { validFrom: rows[0].valid_from, past: rows[0].past };
}

/**
 * Appends a version in force from `validFrom`, copying each omitted (null) term from the version in
 * force then. Null when the partner has no version before `validFrom`.
 */
export async function appendTermsVersion(
  manager: EntityManager,
  partnerId: string,
  change: { earnRate: string | null; issuePrice: string | null; reimbursement: string | null },
  validFrom: Date,
): Promise<string | null> {
  const { rows } = await sql<{ id: string }>(
    manager,
    `INSERT INTO partner_terms (partner_id, earn_rate, issue_price, reimbursement, valid_from)
     SELECT $1, coalesce($2, t.earn_rate), coalesce($3, t.issue_price), coalesce($4, t.reimbursement), $5
       FROM partner_terms t WHERE t.partner_id = $1 AND t.valid_from <= $5 ORDER BY t.valid_from DESC LIMIT 1
     RETURNING id`,
    [partnerId, change.earnRate, change.issuePrice, change.reimbursement, validFrom],
  );
  return rows[0]?.id ?? null;
}

/** The terms in force at `at` (null: now, by the database clock), one version per partner that has one. */
export async function termsAt(manager: EntityManager, partnerIds: readonly string[], at: Date | null): Promise<TermsVersion[]> {
  const { rows } = await sql<TermsRow>(
    manager,
    `SELECT * FROM (${VERSIONS}) v WHERE v.valid_from <= coalesce($2, now()) AND (v.valid_until IS NULL OR v.valid_until > coalesce($2, now()))`,
    [[...partnerIds], at],
  );
  return rows.map(toVersion);
}

/** The versions in force at any time in [from, to) (null bounds: open), oldest first, at most a page. */
export async function termsBetween(manager: EntityManager, partnerId: string, from: Date | null, to: Date | null): Promise<TermsVersion[]> {
  const { rows } = await sql<TermsRow>(
    manager,
    `SELECT * FROM (${VERSIONS}) v WHERE ($2::timestamptz IS NULL OR v.valid_until IS NULL OR v.valid_until > $2)
        AND ($3::timestamptz IS NULL OR v.valid_from < $3) ORDER BY v.valid_from LIMIT ${MAX_PAGE_SIZE}`,
    [[partnerId], from, to],
  );
  return rows.map(toVersion);
}

/** One version by id, with the time the next one takes over; null when missing. */
export async function termsVersion(manager: EntityManager, partnerId: string, termsId: string): Promise<TermsVersion | null> {
  const { rows } = await sql<TermsRow>(manager, `SELECT * FROM (${VERSIONS}) v WHERE v.id = $2`, [[partnerId], termsId]);
  return rows[0] ? toVersion(rows[0]) : null;
}
