import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type GraphQLResponse } from '../../scripts/lib/graphql-client';
import { type TestHub } from './hub';

/** Ledger operations through the gateway, as a till or a member portal would call them. */
export function ledgerClient(hub: TestHub) {
  const code = async (memberToken: string, maxPoints?: number): Promise<string> => {
    const data = await hub.must<{ createRedemptionCode: { code: string } }>(
      'mutation($input: CreateRedemptionCodeInput!) { createRedemptionCode(input: $input) { code expiresAt } }',
      { input: { maxPoints: maxPoints ?? null } },
      memberToken,
    );
    return data.createRedemptionCode.code;
  };
  type Tx = { id: string; points: number; kind: string };
  type Hold = { id: string; points: number; status: string; capturedPoints: number | null };
  const TX = 'id points kind';
  const HOLD = 'id points status capturedPoints expiresAt';
  return {
    code,
    redeem: (partnerToken: string, memberId: string, points: number, redemptionCode: string, key = randomUUID()): Promise<GraphQLResponse<{ redeemPoints: { transaction: Tx } }>> =>
      hub.query(`mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { transaction { ${TX} } } }`, { input: { memberId, points, redemptionCode, reference: `RDM-${key}`, idempotencyKey: key } }, partnerToken),
    authorize: (partnerToken: string, memberId: string, points: number, redemptionCode: string, key = randomUUID()): Promise<GraphQLResponse<{ authorizeRedemption: { hold: Hold } }>> =>
      hub.query(`mutation($input: AuthorizeRedemptionInput!) { authorizeRedemption(input: $input) { hold { ${HOLD} } } }`, { input: { memberId, points, redemptionCode, reference: `AUTH-${key}`, idempotencyKey: key } }, partnerToken),
    capture: (partnerToken: string, holdId: string, points?: number, key = randomUUID()): Promise<GraphQLResponse<{ captureRedemption: { hold: Hold; transaction: Tx } }>> =>
      hub.query(`mutation($input: CaptureRedemptionInput!) { captureRedemption(input: $input) { hold { ${HOLD} } transaction { ${TX} } } }`, { input: { holdId, points: points ?? null, idempotencyKey: key } }, partnerToken),
    void: (partnerToken: string, holdId: string, key = randomUUID()): Promise<GraphQLResponse<{ voidRedemption: { hold: Hold } }>> =>
      hub.query(`mutation($input: VoidRedemptionInput!) { voidRedemption(input: $input) { hold { ${HOLD} } } }`, { input: { holdId, idempotencyKey: key } }, partnerToken),
    reverse: (token: string, transactionId: string, key = randomUUID()): Promise<GraphQLResponse<{ reverseTransaction: { transaction: Tx } }>> =>
      hub.query(`mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { ${TX} } } }`, { input: { transactionId, idempotencyKey: key } }, token),
    points: async (memberToken: string): Promise<{ balance: number; available: number; pending: number }> =>
      (await hub.must<{ me: { points: { balance: number; available: number; pending: number } } }>('{ me { points { balance available pending } } }', {}, memberToken)).me.points,
  };
}

/**
 * The ledger's invariants, read straight from the database: every transaction balances; every
 * maintained balance equals its postings; every member's lots sum to its balance; holds add up to
 * `pending`; nothing is negative; each transaction's points equal its member postings.
 */
export async function ledgerViolations(db: Pool): Promise<Record<string, number>> {
  const one = async (query: string) => (await db.query(query)).rowCount ?? 0;
  return {
    unbalancedTransactions: await one('SELECT transaction_id FROM points.postings GROUP BY transaction_id HAVING sum(amount) <> 0'),
    ledgerNotZero: await one('SELECT 1 FROM points.postings HAVING coalesce(sum(amount), 0) <> 0'),
    balanceDrift: await one(
      `SELECT a.id FROM points.accounts a LEFT JOIN points.postings p ON p.account_id = a.id
        WHERE a.maintained GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(p.amount), 0)`,
    ),
    lotDrift: await one(
      `SELECT a.id FROM points.accounts a LEFT JOIN points.lots l ON l.account_id = a.id
        WHERE a.kind = 'MEMBER' GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(l.remaining), 0)`,
    ),
    pendingDrift: await one(
      `SELECT a.id FROM points.accounts a LEFT JOIN points.holds h ON h.account_id = a.id AND h.status = 'OPEN'
        WHERE a.kind = 'MEMBER' GROUP BY a.id, a.pending HAVING a.pending <> coalesce(sum(h.points), 0)`,
    ),
    negative: await one(`SELECT 1 FROM points.accounts WHERE kind = 'MEMBER' AND (balance < 0 OR balance < pending)`),
    pointsMismatch: await one(
      `SELECT t.id FROM points.transactions t LEFT JOIN points.postings p ON p.transaction_id = t.id
         LEFT JOIN points.accounts a ON a.id = p.account_id AND a.kind = 'MEMBER'
        GROUP BY t.id, t.points HAVING t.points <> coalesce(sum(CASE WHEN a.id IS NOT NULL THEN p.amount END), 0)`,
    ),
    doubleReversal: await one('SELECT reverses FROM points.transactions WHERE reverses IS NOT NULL GROUP BY reverses HAVING count(*) > 1'),
  };
}

export const NO_VIOLATIONS = {
  unbalancedTransactions: 0,
  ledgerNotZero: 0,
  balanceDrift: 0,
  lotDrift: 0,
  pendingDrift: 0,
  negative: 0,
  pointsMismatch: 0,
  doubleReversal: 0,
};
