import { type EntityManager } from 'typeorm';
import { AppError, sql } from '../../../../lib/src';
import { type AwardKind } from '../domain/award.rules';
import { insertAwards } from './awards.repository';
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
  /** The award row that explains the points (GOODWILL, WELCOME, REFERRAL, BIRTHDAY...), funded by the issuer. */
  award: { kind: AwardKind; ruleId: string | null };
  /** The issuer's account when the caller already has it (many issuances in one transaction). */
  issuerAccountId?: string;
}

/** The account that issued points are posted from: the partner's PARTNER_ISSUED, or the coalition's marketing budget. */
export function issuerAccount(manager: EntityManager, partnerId: string | null): Promise<string> {
  return ensureAccount(manager, partnerId === null ? 'COALITION_MARKETING' : 'PARTNER_ISSUED', partnerId);
}

/**
 * Writes the transaction (priced at the issuer's price, `partner_id` the paying partner or null), its
 * postings (issuer's account → member), the member's lot (issuer known, so settlement and expiry
 * attribute every point) and its award row (kind, funded by the issuer), and answers the transaction as stored. No earn-outbox event: the outbox carries
 * purchases (pledges are a share of what a member spends), and an issuance has none.
 */
export async function issuePoints(manager: EntityManager, i: Issuance): Promise<TransactionEntity> {
  if (i.points <= 0n) throw new Error('issuePoints needs positive points');
  const fromAccount = i.issuerAccountId ?? (await issuerAccount(manager, i.issuer.partnerId));
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
    { accountId: fromAccount, amount: -i.points },
    { accountId: i.memberAccountId, amount: i.points },
  ]);
  await createLot(manager, { accountId: i.memberAccountId, transactionId: written.id, partnerId: i.issuer.partnerId, points: i.points, lifetimeMonths: i.lifetimeMonths });
  await insertAwards(manager, written.id, [{ kind: i.award.kind, points: i.points, fundedBy: i.issuer.partnerId, ruleId: i.award.ruleId }]);
  return written;
}

/**
 * Locks the member accounts of `memberIds` in account id order (two lockers of overlapping sets never wait
 * in a cycle) and answers member id → account id; members without an account are absent.
 */
export async function lockMemberAccountsById(manager: EntityManager, memberIds: readonly string[], options: { allowClosed?: boolean } = {}): Promise<Map<string, string>> {
  const { rows } = await sql<{ id: string; owner_id: string; closed: boolean }>(
    manager,
    `SELECT id, owner_id, closed_at IS NOT NULL AS closed FROM accounts WHERE kind = 'MEMBER' AND owner_id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [[...new Set(memberIds)]],
  );
  // As lockMemberAccount: a closed member (membership closed or merged away) takes no more points.
  if (!options.allowClosed && rows.some((r) => r.closed)) throw new AppError('MEMBER_CLOSED');
  return new Map(rows.map((r) => [r.owner_id, r.id]));
}

/** Which of `memberIds` have a closed points account (membership closed or merged away: no more writes). */
export async function closedMembers(manager: EntityManager, memberIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await sql<{ owner_id: string }>(
    manager,
    `SELECT owner_id FROM accounts WHERE kind = 'MEMBER' AND owner_id = ANY($1::uuid[]) AND closed_by IS NOT NULL`,
    [[...new Set(memberIds)]],
  );
  return new Set(rows.map((r) => r.owner_id));
}

/** Which of the accounts owe clawbacks (refunded points already spent; repaid from new points first). */
export async function accountsOwingClawbacks(manager: EntityManager, accountIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await sql<{ account_id: string }>(
    manager,
    'SELECT DISTINCT account_id FROM clawbacks WHERE account_id = ANY($1::uuid[]) AND outstanding > 0',
    [[...accountIds]],
  );
  return new Set(rows.map((r) => r.account_id));
}
