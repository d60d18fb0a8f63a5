import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../../../../test/support/hub';
import { issuePoints } from '../persistence/issuance.repository';
import { lockMemberAccount } from '../persistence/ledger.repository';
import { countLedgerDrift } from '../persistence/ledger-check.repository';

let hub: TestHub;
let partner: { id: string; token: string };

beforeAll(async () => {
  hub = await startHub({ subgraphs: ['members', 'partners', 'points'] });
  partner = await hub.seed.partner({ currency: 'EUR', earnRate: '10' });
});
afterAll(async () => hub?.stop());

async function issue(memberId: string, issuer: { partnerId: string | null; unitPrice: string; currency: string }, points: bigint, kind: 'GRANT' | 'BONUS' = 'GRANT') {
  return hub.subgraphs.points!.dataSource.transaction(async (manager) => {
    const account = await lockMemberAccount(manager, memberId);
    return issuePoints(manager, { kind, memberId, memberAccountId: account!.id, issuer, points, reference: 'test', lifetimeMonths: 24, award: { kind: 'WELCOME', ruleId: null } });
  });
}

describe('issuing points without a purchase (issuePoints)', () => {
  it('the coalition marketing account and the cashout account exist once, owned by no partner', async () => {
    const { rows } = await hub.db.query(`SELECT kind, owner_id, maintained FROM points.accounts WHERE kind IN ('COALITION_MARKETING', 'COALITION_CASHOUT') ORDER BY kind`);
    expect(rows).toEqual([
      { kind: 'COALITION_CASHOUT', owner_id: null, maintained: false },
      { kind: 'COALITION_MARKETING', owner_id: null, maintained: false },
    ]);
  });

  it('posts from the coalition marketing account or the partner issued account, with a lot naming the issuer, priced at the issuer price', async () => {
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '1.00', 'EUR');
    const coalition = await issue(member.id, { partnerId: null, unitPrice: '0.008', currency: 'EUR' }, 250n, 'BONUS');
    const paid = await issue(member.id, { partnerId: partner.id, unitPrice: '0.01', currency: 'EUR' }, 40n, 'BONUS');
    expect({ kind: coalition.kind, partnerId: coalition.partnerId, points: coalition.points, unitPrice: coalition.unitPrice }).toEqual({ kind: 'BONUS', partnerId: null, points: '250', unitPrice: '0.008000' });
    expect({ kind: paid.kind, partnerId: paid.partnerId, points: paid.points }).toEqual({ kind: 'BONUS', partnerId: partner.id, points: '40' });
    const postings = await hub.db.query(
      `SELECT t.kind AS tx, a.kind, p.amount FROM points.postings p JOIN points.accounts a ON a.id = p.account_id JOIN points.transactions t ON t.id = p.transaction_id
        WHERE p.transaction_id = ANY($1::uuid[]) ORDER BY t.kind, p.amount`,
      [[coalition.id, paid.id]],
    );
    expect(postings.rows).toEqual([
      { tx: 'BONUS', kind: 'COALITION_MARKETING', amount: '-250' },
      { tx: 'BONUS', kind: 'PARTNER_ISSUED', amount: '-40' },
      { tx: 'BONUS', kind: 'MEMBER', amount: '40' },
      { tx: 'BONUS', kind: 'MEMBER', amount: '250' },
    ]);
    const lots = await hub.db.query(`SELECT transaction_id, partner_id, points, remaining FROM points.lots WHERE transaction_id = ANY($1::uuid[]) ORDER BY points`, [[coalition.id, paid.id]]);
    expect(lots.rows).toEqual([
      { transaction_id: paid.id, partner_id: partner.id, points: '40', remaining: '40' },
      { transaction_id: coalition.id, partner_id: null, points: '250', remaining: '250' },
    ]);
    const balance = await hub.db.query(`SELECT balance FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [member.id]);
    expect(balance.rows[0].balance).toBe('300');
    const drift = await countLedgerDrift(hub.subgraphs.points!.dataSource.manager);
    expect({ ...drift, transactions: 0n, postings: 0n }).toEqual({ transactions: 0n, postings: 0n, unbalancedTransactions: 0n, balanceDrift: 0n, lotDrift: 0n, pendingDrift: 0n, pointsMismatch: 0n });
  });

  it('the database refuses a grant without a price, with a purchase, or with non-positive points', async () => {
    const member = await hub.seed.member(partner.token);
    const insert = (sqlValues: string) => hub.db.query(`INSERT INTO points.transactions (kind, member_id, reference, points, purchase_minor, unit_price, price_currency) VALUES ${sqlValues}`, [member.id]);
    await expect(insert(`('GRANT', $1, 'x', 10, NULL, NULL, NULL)`)).rejects.toThrow(/transactions_grant_check/);
    await expect(insert(`('BONUS', $1, 'x', 10, 100, 0.01, 'EUR')`)).rejects.toThrow(/transactions_grant_check/);
    await expect(insert(`('GRANT', $1, 'x', 0, NULL, 0.01, 'EUR')`)).rejects.toThrow(/transactions_grant_check/);
    await expect(insert(`('CASHOUT', $1, 'x', 10, NULL, 0.01, 'EUR')`)).rejects.toThrow(/transactions_cashout_check/);
    await expect(insert(`('BOGUS', $1, 'x', 10, NULL, 0.01, 'EUR')`)).rejects.toThrow(/transactions_kind_check/);
  });
});
