import { type EntityManager } from 'typeorm';
import { type TransactionEntity } from './ledger.entity';
import { ensureAccount, insertTransaction, post } from './ledger.repository';
import { createLot } from './lots.repository';

/**
 * Points issued to a member without a purchase (grants, bonuses), used inside a caller's database
 * transaction that holds the member's account lock. Decides nothing: the service chooses who pays,
 * the price and the points.
 */

/** Who pays for issued points: a partner at its issue price in force, or (partnerId null) the coalition's marketing budget. */
export interface Issuer {
  partnerId: string | null;
  /** Price per point, a decimal string in `currency` major units. */
  unitPrice: string;
  currency: string;
  /** A prepaid partner's points already drawn from its block by the caller (drawPrepaidBlock). */
  blockDrawn?: boolean;
}

export interface Issuance {
  kind: 'GRANT' | 'BONUS';
  memberId: string;
  memberAccountId: string;
  issuer: Issuer;
  points: bigint;
  reference: string;
  /** Lot lifetime (LedgerConfig.expiryMonths). */
  lifetimeMonths: number;
}

/**
 * Writes the transaction (priced at the issuer's price, `partner_id` the paying partner or null), its
 * postings (issuer's account → member) and the member's lot (issuer known, so settlement and expiry
 * attribute every point), and answers the transaction as stored. No earn-outbox event: the outbox carries
 * purchases (pledges are a share of what a member spends), and an issuance has none.
 */
export async function issuePoints(manager: EntityManager, i: Issuance): Promise<TransactionEntity> {
  if (i.points <= 0n) throw new Error('issuePoints needs positive points');
  const issuerAccount = await ensureAccount(manager, i.issuer.partnerId === null ? 'COALITION_MARKETING' : 'PARTNER_ISSUED', i.issuer.partnerId);
  const written = await insertTransaction(manager, {
    kind: i.kind,
    partnerId: i.issuer.partnerId,
    memberId: i.memberId,
    reference: i.reference,
    points: i.points,
    unitPrice: i.issuer.unitPrice,
    priceCurrency: i.issuer.currency,
    blockDrawn: i.issuer.blockDrawn ?? false,
  });
  await post(manager, written.id, [
    { accountId: issuerAccount, amount: -i.points },
    { accountId: i.memberAccountId, amount: i.points },
  ]);
  await createLot(manager, { accountId: i.memberAccountId, transactionId: written.id, partnerId: i.issuer.partnerId, points: i.points, lifetimeMonths: i.lifetimeMonths });
  return written;
}
