import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * The ledger's decision on each donation (donation_postings), keyed by the donation id: written once, in
 * the transaction that posts (or refuses) it, and answered to every later call.
 */

export interface StoredDonationPosting {
  donationId: string;
  memberId: string;
  charityId: string;
  points: bigint;
  outcome: 'POSTED' | 'REFUSED' | 'MEMBER_CLOSED';
  transactionId: string | null;
}

/** The decision stored for `donationId`, or null. */
export async function findDonationPosting(manager: EntityManager, donationId: string): Promise<StoredDonationPosting | null> {
  const { rows } = await sql<{ member_id: string; charity_id: string; points: string; outcome: StoredDonationPosting['outcome']; transaction_id: string | null }>(
    manager,
    'SELECT member_id, charity_id, points, outcome, transaction_id FROM donation_postings WHERE donation_id = $1',
    [donationId],
  );
  const r = rows[0];
  return r ? { donationId, memberId: r.member_id, charityId: r.charity_id, points: BigInt(r.points), outcome: r.outcome, transactionId: r.transaction_id } : null;
}

/** Stores the decision; a second decision for the same donation fails on the primary key (unique violation). */
export async function insertDonationPosting(manager: EntityManager, p: StoredDonationPosting): Promise<void> {
  await sql(
    manager,
    `INSERT INTO donation_postings (donation_id, member_id, charity_id, points, outcome, transaction_id) VALUES ($1, $2, $3, $4, $5, $6)`,
    [p.donationId, p.memberId, p.charityId, p.points.toString(), p.outcome, p.transactionId],
  );
}
