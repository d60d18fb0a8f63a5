import { type EntityManager } from 'typeorm';
import { badInput, pgConstraint } from '../../../../lib/src';
import { lockOutstandingClawbacks, repayClawback } from '../persistence/clawbacks.repository';
import { lockFunding, returnToPrepaidBlock } from '../persistence/funding.repository';
import { accountFigures, ensureAccount, insertTransaction, post } from '../persistence/ledger.repository';
import { consumeLots, expiredPoints } from '../persistence/lots.repository';

/**
 * Ledger steps on one member's account that several operations share. Every function here expects the
 * caller to hold that account's row lock (`lockMemberAccount`) in the same database transaction.
 */

/** The member's spendable points now: balance minus open holds. */
export async function availablePoints(manager: EntityManager, accountId: string): Promise<bigint> {
  const f = await accountFigures(manager, accountId);
  return f.balance - f.pending;
}

/**
 * Moves the member's expired points to breakage, one EXPIRY transaction. Points under open holds stay:
 * a hold draws on the oldest lots first, so `expired - pending` is what expires now, and the rest waits
 * for the hold to resolve. Spends call this first, so expired points are never spent or held.
 */
export async function expireDueLots(manager: EntityManager, accountId: string, memberId: string): Promise<bigint> {
  const expired = await expiredPoints(manager, accountId);
  if (expired === 0n) return 0n;
  const { pending } = await accountFigures(manager, accountId);
  const points = expired - pending;
  if (points <= 0n) return 0n;
  const breakage = await ensureAccount(manager, 'COALITION_BREAKAGE', null);
  const { id: transactionId } = await insertTransaction(manager, { kind: 'EXPIRY', memberId, reference: 'points expired', points: -points });
  await post(manager, transactionId, [
    { accountId, amount: -points },
    { accountId: breakage, amount: points },
  ]);
  await consumeLots(manager, transactionId, accountId, points, { onlyExpired: true });
  return points;
}

/**
 * Refunded points the member had already spent are owed back (see ReversalService). Whenever points
 * become available again (an earn, a void, the rest of a partial capture, an expired hold, a reversed
 * redemption) they repay those debts first, oldest first, each repayment a CLAWBACK transaction back to
 * the partner that refunded. So owed points are never spendable.
 */
export async function settleClawbacks(manager: EntityManager, accountId: string, memberId: string): Promise<void> {
  // A clawback is priced as the refund (and so the earn) it completes; it refills the earn's prepaid block.
  const rows = await lockOutstandingClawbacks(manager, accountId);
  if (rows.length === 0) return;
  await lockFunding(manager, rows.map((r) => r.partner_id));
  let left = await availablePoints(manager, accountId);
  for (const debt of rows) {
    if (left <= 0n) break;
    const take = BigInt(debt.outstanding) < left ? BigInt(debt.outstanding) : left;
    const issuedAccount = await ensureAccount(manager, 'PARTNER_ISSUED', debt.partner_id);
    const { id: transactionId } = await insertTransaction(manager, {
      kind: 'CLAWBACK',
      partnerId: debt.partner_id,
      memberId,
      reference: `clawback of ${debt.reversal_transaction}`,
      points: -take,
      unitPrice: debt.unit_price,
      priceCurrency: debt.price_currency,
    });
    if (debt.block_drawn) await returnToPrepaidBlock(manager, debt.partner_id, take);
    await post(manager, transactionId, [
      { accountId, amount: -take },
      { accountId: issuedAccount, amount: take },
    ]);
    await consumeLots(manager, transactionId, accountId, take);
    await repayClawback(manager, debt.id, take);
    left -= take;
  }
}

/**
 * A `.catch` handler for postings that credit a member: the database refuses a balance past the Int
 * range (`accounts_member_int_check`); the caller is told which input caused it.
 */
export function refuseBalanceOverflow(field: string): (error: unknown) => never {
  return (error) => {
    if (pgConstraint(error) === 'accounts_member_int_check') {
      throw badInput(field, "would take the member's balance past the largest balance a member can hold (2147483647 points)");
    }
    throw error;
  };
}
