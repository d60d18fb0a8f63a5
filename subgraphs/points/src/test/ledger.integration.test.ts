import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../../../../test/support/hub';

let hub: TestHub;
let partner: { id: string; token: string };
const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points kind partner { id } purchase { amount currency } } } }';
type Earned = { earnPoints: { transaction: { id: string; points: number; kind: string } } };

beforeAll(async () => {
  hub = await startHub();
  partner = await hub.seed.partner({ currency: 'EUR', earnRate: '10' });
});
afterAll(async () => hub?.stop());

async function ledgerInvariants() {
  const unbalanced = await hub.db.query('SELECT transaction_id FROM points.postings GROUP BY transaction_id HAVING sum(amount) <> 0');
  const drift = await hub.db.query(
    `SELECT a.id FROM points.accounts a LEFT JOIN points.postings p ON p.account_id = a.id
     WHERE a.maintained GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(p.amount), 0)`,
  );
  const negative = await hub.db.query(`SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND balance < 0`);
  return { unbalanced: unbalanced.rowCount, drift: drift.rowCount, negative: negative.rowCount };
}

describe('points subgraph ledger, called directly', () => {
  it('posts an earn as two balanced postings and keeps the member balance equal to its postings', async () => {
    const member = await hub.seed.member(partner.token);
    const result = await hub.query<Earned>(
      EARN,
      { input: { memberId: member.id, purchase: { amount: '12.34', currency: 'EUR' }, reference: 'INV-1', idempotencyKey: randomUUID() } },
      partner.token,
      'points',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.earnPoints.transaction).toMatchObject({ points: 123, kind: 'EARN', partner: { id: partner.id }, purchase: { amount: '12.34', currency: 'EUR' } });
    const postings = await hub.db.query<{ amount: string; kind: string }>(
      `SELECT p.amount, a.kind FROM points.postings p JOIN points.accounts a ON a.id = p.account_id WHERE p.transaction_id = $1 ORDER BY p.amount`,
      [result.data!.earnPoints.transaction.id],
    );
    expect(postings.rows).toEqual([
      { amount: '-123', kind: 'PARTNER_ISSUED' },
      { amount: '123', kind: 'MEMBER' },
    ]);
    expect(await ledgerInvariants()).toEqual({ unbalanced: 0, drift: 0, negative: 0 });
  });

  it('posts exactly once when 20 requests with one idempotency key race; a changed amount is refused', async () => {
    const member = await hub.seed.member(partner.token);
    const input = { memberId: member.id, purchase: { amount: '5.00', currency: 'EUR' }, reference: 'RACE', idempotencyKey: randomUUID() };
    const results = await Promise.all(Array.from({ length: 20 }, () => hub.query<Earned>(EARN, { input }, partner.token)));
    expect(results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok')).toEqual(Array(20).fill('ok'));
    expect(new Set(results.map((r) => r.data!.earnPoints.transaction.id)).size).toBe(1);
    expect(await count(hub.db, 'points.transactions', 'member_id = $1', [member.id])).toBe(1);
    const balance = await hub.db.query(`SELECT balance FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [member.id]);
    expect(balance.rows[0].balance).toBe('50');

    const changed = await hub.query(EARN, { input: { ...input, purchase: { amount: '6.00', currency: 'EUR' } } }, partner.token);
    expect(changed.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count(hub.db, 'points.transactions', 'member_id = $1', [member.id])).toBe(1);
  });

  it('keeps balances right under concurrent earns for many members at one partner', async () => {
    const members = await Promise.all(Array.from({ length: 5 }, () => hub.seed.member(partner.token)));
    await Promise.all(
      members.flatMap((m) => Array.from({ length: 8 }, (_, i) => hub.seed.earn(partner.token, m.id, `${i + 1}.00`, 'EUR'))),
    );
    for (const m of members) {
      const me = await hub.query<{ me: { points: { balance: number } } }>('{ me { points { balance } } }', {}, m.token);
      expect(me.data?.me.points.balance).toBe(10 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8));
    }
    expect(await ledgerInvariants()).toEqual({ unbalanced: 0, drift: 0, negative: 0 });
  });

  it('has the database keep postings append-only and every transaction balanced', async () => {
    await expect(hub.db.query('UPDATE points.postings SET amount = amount + 1')).rejects.toThrow(/append-only/);
    await expect(hub.db.query('DELETE FROM points.postings')).rejects.toThrow(/append-only/);
    await expect(hub.db.query('DELETE FROM points.transactions')).rejects.toThrow(/append-only/);
    await expect(hub.db.query('TRUNCATE points.postings CASCADE')).rejects.toThrow(/append-only/);

    const client = await hub.db.connect();
    try {
      const account = await client.query(`SELECT id FROM points.accounts WHERE kind = 'MEMBER' LIMIT 1`);
      await client.query('BEGIN');
      const tx = await client.query(`INSERT INTO points.transactions (kind, reference, points) VALUES ('EXPIRY', 'forged', 1000) RETURNING id`);
      await client.query('INSERT INTO points.postings (transaction_id, account_id, amount) VALUES ($1, $2, 1000)', [tx.rows[0].id, account.rows[0].id]);
      await expect(client.query('COMMIT')).rejects.toThrow(/does not balance/);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
    expect(await ledgerInvariants()).toEqual({ unbalanced: 0, drift: 0, negative: 0 });
  });

  it("has the database refuse a transaction posting to another partner's account (settlement statements rely on it)", async () => {
    const other = await hub.seed.partner({ currency: 'EUR', earnRate: '10' });
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '1.00', 'EUR');
    await hub.seed.earn(other.token, member.id, '1.00', 'EUR');
    const ids = await hub.db.query<{ kind: string; owner_id: string; id: string }>(
      `SELECT kind, owner_id, id FROM points.accounts WHERE (kind = 'PARTNER_HONOURED' AND owner_id = ANY($1::uuid[])) OR (kind = 'MEMBER' AND owner_id = $2)`,
      [[partner.id, other.id], member.id],
    );
    const account = (kind: string, owner: string) => ids.rows.find((r) => r.kind === kind && r.owner_id === owner)?.id;
    const forge = async (honouring: string) => {
      const client = await hub.db.connect();
      try {
        await client.query('BEGIN');
        const tx = await client.query(
          `INSERT INTO points.transactions (kind, partner_id, member_id, reference, points, unit_price, price_currency) VALUES ('REDEEM', $1, $2, 'forged', -1, 0.01, 'EUR') RETURNING id`,
          [partner.id, member.id],
        );
        await client.query('INSERT INTO points.postings (transaction_id, account_id, amount) VALUES ($1, $2, -1), ($1, $3, 1)', [
          tx.rows[0].id,
          account('MEMBER', member.id),
          account('PARTNER_HONOURED', honouring),
        ]);
        await client.query('SET CONSTRAINTS ALL IMMEDIATE'); // the commit-time checks, run now; nothing is kept
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    };
    // Both partners have honoured nothing yet: create their honouring accounts the way a redemption would.
    for (const owner of [partner.id, other.id]) {
      if (!account('PARTNER_HONOURED', owner)) {
        const created = await hub.db.query<{ id: string }>(`INSERT INTO points.accounts (kind, owner_id, maintained) VALUES ('PARTNER_HONOURED', $1, false) RETURNING id`, [owner]);
        ids.rows.push({ kind: 'PARTNER_HONOURED', owner_id: owner, id: created.rows[0].id });
      }
    }
    await expect(forge(other.id)).rejects.toThrow(/posts to another partner's account/);
    await expect(forge(partner.id)).resolves.toBeUndefined(); // the same redemption at its own honouring account passes
    expect(await ledgerInvariants()).toEqual({ unbalanced: 0, drift: 0, negative: 0 });
  });

  it('has the database guard accounts: identity immutable, balances moved only by postings, points matching postings', async () => {
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '2.00', 'EUR');
    const where = `kind = 'MEMBER' AND owner_id = '${member.id}'`;
    await expect(hub.db.query(`UPDATE points.accounts SET balance = balance + 1000 WHERE ${where}`)).rejects.toThrow(/only through postings/);
    await expect(hub.db.query(`UPDATE points.accounts SET pending = pending + 1 WHERE ${where}`)).rejects.toThrow(/pending only through holds/);
    await expect(hub.db.query(`UPDATE points.accounts SET owner_id = gen_random_uuid() WHERE ${where}`)).rejects.toThrow(/immutable/);
    await expect(hub.db.query(`DELETE FROM points.accounts WHERE ${where}`)).rejects.toThrow(/append-only/);

    const client = await hub.db.connect();
    try {
      const accounts = await client.query<{ id: string; kind: string }>(
        `SELECT id, kind FROM points.accounts WHERE (kind = 'MEMBER' AND owner_id = $1) OR (kind = 'PARTNER_ISSUED' AND owner_id = $2)`,
        [member.id, partner.id],
      );
      await client.query('BEGIN');
      // The partner's own transaction (a posting on its account from any other is refused at once): only the points lie.
      const adjustment = await client.query(`INSERT INTO points.transactions (kind, partner_id, reference, points) VALUES ('EXPIRY', $1, 'understated', -1) RETURNING id`, [partner.id]);
      const memberAccount = accounts.rows.find((a) => a.kind === 'MEMBER')!.id;
      const partnerAccount = accounts.rows.find((a) => a.kind === 'PARTNER_ISSUED')!.id;
      await client.query('INSERT INTO points.postings (transaction_id, account_id, amount) VALUES ($1, $2, -5), ($1, $3, 5)', [adjustment.rows[0].id, memberAccount, partnerAccount]);
      await expect(client.query('COMMIT')).rejects.toThrow(/claims -1 points but moves -5/);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
    const balance = await hub.db.query(`SELECT balance FROM points.accounts WHERE ${where}`);
    expect(balance.rows[0].balance).toBe('20');
  });

  it('refuses an earn that would pass the largest balance, and writes nothing', async () => {
    const admin = await hub.admin();
    const created = await hub.must<{ createPartner: { partner: { id: string } } }>(
      'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
      { input: { name: `Generous ${randomUUID()}`, currency: 'NOK', earnRate: '1000000' } },
      admin,
    );
    const generous = await hub.partnerToken(created.createPartner.partner.id);
    const member = await hub.seed.member(generous);
    await hub.seed.earn(generous, member.id, '2000.00', 'NOK');
    const second = await hub.query(
      EARN,
      { input: { memberId: member.id, purchase: { amount: '2000.00', currency: 'NOK' }, reference: 'R2', idempotencyKey: randomUUID() } },
      generous,
    );
    expect(second.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'purchase.amount' });
    expect(await count(hub.db, 'points.transactions', 'member_id = $1', [member.id])).toBe(1);
    const me = await hub.query<{ me: { points: { balance: number } } }>('{ me { points { balance } } }', {}, member.token);
    expect(me.data?.me.points.balance).toBe(2_000_000_000);
  });

  it('has the database refuse a member balance below zero', async () => {
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '1.00', 'EUR');
    const client = await hub.db.connect();
    try {
      const accounts = await client.query<{ id: string; kind: string }>(
        `SELECT id, kind FROM points.accounts WHERE (kind = 'MEMBER' AND owner_id = $1) OR (kind = 'PARTNER_ISSUED' AND owner_id = $2)`,
        [member.id, partner.id],
      );
      const memberAccount = accounts.rows.find((a) => a.kind === 'MEMBER')!.id;
      const partnerAccount = accounts.rows.find((a) => a.kind === 'PARTNER_ISSUED')!.id;
      await client.query('BEGIN');
      // A well-formed redemption (with its price snapshot), so that only the balance check can refuse it.
      const tx = await client.query(
        `INSERT INTO points.transactions (kind, partner_id, member_id, reference, points, unit_price, price_currency) VALUES ('REDEEM', $1, $2, 'overspend', -11, 0.01, 'EUR') RETURNING id`,
        [partner.id, member.id],
      );
      await expect(
        client.query('INSERT INTO points.postings (transaction_id, account_id, amount) VALUES ($1, $2, -11), ($1, $3, 11)', [tx.rows[0].id, memberAccount, partnerAccount]),
      ).rejects.toThrow(/accounts_member_funds_check/);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });

  it('shows a transaction to its partner and member only; others get null as if it did not exist', async () => {
    const member = await hub.seed.member(partner.token);
    const tx = await hub.seed.earn(partner.token, member.id, '3.00', 'EUR');
    const q = `{ pointsTransaction(id: "${tx.id}") { id } }`;
    expect((await hub.query<{ pointsTransaction: unknown }>(q, {}, partner.token)).data?.pointsTransaction).toEqual({ id: tx.id });
    expect((await hub.query<{ pointsTransaction: unknown }>(q, {}, member.token)).data?.pointsTransaction).toEqual({ id: tx.id });
    const rival = await hub.seed.partner({ currency: 'EUR' });
    expect((await hub.query<{ pointsTransaction: unknown }>(q, {}, rival.token)).data?.pointsTransaction).toBeNull();
    const missing = `{ pointsTransaction(id: "${randomUUID()}") { id } }`;
    expect((await hub.query<{ pointsTransaction: unknown }>(missing, {}, rival.token)).data?.pointsTransaction).toBeNull();
  });
});
