import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMicros } from '../../subgraphs/points/src/domain/settlement.rules';
import { count, startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;

beforeAll(async () => {
  hub = await startHub();
  ledger = ledgerClient(hub);
});
afterAll(async () => hub?.stop());

const FUNDING = 'partner { id } mode blockRemaining lowBalanceThreshold lowBalance';
type Funding = { partner: { id: string }; mode: string; blockRemaining: string; lowBalanceThreshold: string; lowBalance: boolean };

const configure = async (partnerId: string, mode: string, lowBalanceThreshold: number | null, key = randomUUID()) =>
  hub.query<{ configurePartnerFunding: { funding: Funding } }>(
    `mutation($i: ConfigurePartnerFundingInput!) { configurePartnerFunding(input: $i) { funding { ${FUNDING} } } }`,
    { i: { partnerId, mode, lowBalanceThreshold, idempotencyKey: key } },
    await hub.admin(),
  );
const topUp = async (partnerId: string, points: number, key = randomUUID(), token?: string) =>
  hub.query<{ topUpPrepaidBlock: { funding: Funding } }>(
    `mutation($i: TopUpPrepaidBlockInput!) { topUpPrepaidBlock(input: $i) { funding { ${FUNDING} } } }`,
    { i: { partnerId, points, idempotencyKey: key } },
    token ?? (await hub.admin()),
  );
const funding = (partnerId: string, token: string) =>
  hub.query<{ partnerFunding: Funding }>(`query($p: ID!) { partnerFunding(partnerId: $p) { ${FUNDING} } }`, { p: partnerId }, token);
const earn = (token: string, memberId: string, amount: string, key = randomUUID()) =>
  hub.query<{ earnPoints: { transaction: { id: string; points: number } } }>(
    'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }',
    { input: { memberId, purchase: { amount, currency: 'NOK' }, reference: `R-${key}`, idempotencyKey: key } },
    token,
  );

describe('prepaid point blocks', () => {
  it('lets exactly the block be issued under 20 concurrent earns, then refuses with PREPAID_BLOCK_EXHAUSTED', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    expect((await funding(partner.id, partner.token)).data?.partnerFunding).toMatchObject({ mode: 'POSTPAID', blockRemaining: '0', lowBalance: false });

    const key = randomUUID();
    expect((await topUp(partner.id, 1000, key)).data?.topUpPrepaidBlock.funding.blockRemaining).toBe('1000');
    expect((await topUp(partner.id, 1000, key)).data?.topUpPrepaidBlock.funding.blockRemaining).toBe('1000'); // replay: no second top-up
    expect((await topUp(partner.id, 999, key)).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await configure(partner.id, 'PREPAID', 250)).data?.configurePartnerFunding.funding).toMatchObject({ mode: 'PREPAID', blockRemaining: '1000', lowBalanceThreshold: '250', lowBalance: false });

    const results = await Promise.all(Array.from({ length: 20 }, () => earn(partner.token, member.id, '100.00')));
    const outcomes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok');
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'PREPAID_BLOCK_EXHAUSTED')).toHaveLength(10);
    expect(await ledger.points(member.token)).toMatchObject({ balance: 1000 });
    const seen = await funding(partner.id, partner.token);
    expect(seen.data?.partnerFunding).toMatchObject({ blockRemaining: '0', lowBalance: true });
    // Nothing was written for a refused earn.
    expect(await count(hub.db, 'points.transactions', `partner_id = $1 AND kind = 'EARN'`, [partner.id])).toBe(10);

    // A refund gives its points back to the block; a top-up lets earning resume.
    const first = results.find((r) => !r.errors)!.data!.earnPoints.transaction;
    await ledger.reverse(partner.token, first.id);
    expect((await funding(partner.id, partner.token)).data?.partnerFunding.blockRemaining).toBe('100');
    expect((await earn(partner.token, member.id, '100.01')).errors).toBeUndefined();
    expect((await earn(partner.token, member.id, '1.00')).errors?.[0]?.extensions?.code).toBe('PREPAID_BLOCK_EXHAUSTED');
    await topUp(partner.id, 500);
    expect((await earn(partner.token, member.id, '1.00')).errors).toBeUndefined();
    expect((await funding(partner.id, await hub.admin())).data?.partnerFunding).toMatchObject({ blockRemaining: '499', lowBalance: false });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);

    // Back to post-paid: earns no longer touch the block.
    await configure(partner.id, 'POSTPAID', null);
    expect((await earn(partner.token, member.id, '800.00')).errors).toBeUndefined();
    expect((await funding(partner.id, partner.token)).data?.partnerFunding).toMatchObject({ mode: 'POSTPAID', blockRemaining: '499', lowBalanceThreshold: '250', lowBalance: false });
  });

  it('refills the block with the points a refund recovers, now or later as clawbacks', async () => {
    const prepaid = await hub.seed.partner({ currency: 'NOK' });
    const other = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(prepaid.token);
    await topUp(prepaid.id, 300);
    await configure(prepaid.id, 'PREPAID', 0);
    const earned = await hub.seed.earn(prepaid.token, member.id, '300.00', 'NOK');
    expect((await funding(prepaid.id, prepaid.token)).data?.partnerFunding.blockRemaining).toBe('0');
    expect((await ledger.redeem(other.token, member.id, 200, await ledger.code(member.token))).errors).toBeUndefined();
    // 100 come back at once; 200 are owed by the member and come back when it next earns (elsewhere).
    expect((await ledger.reverse(prepaid.token, earned.id)).data?.reverseTransaction.transaction.points).toBe(-100);
    expect((await funding(prepaid.id, prepaid.token)).data?.partnerFunding.blockRemaining).toBe('100');
    await hub.seed.earn(other.token, member.id, '250.00', 'NOK');
    expect((await funding(prepaid.id, prepaid.token)).data?.partnerFunding.blockRemaining).toBe('300');
    expect(await ledger.points(member.token)).toMatchObject({ balance: 50 });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it("shows a partner only its own funding, and lets only the admin change it", async () => {
    const a = await hub.seed.partner({ currency: 'NOK' });
    const b = await hub.seed.partner({ currency: 'NOK' });
    expect((await funding(b.id, a.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await funding(randomUUID(), a.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await topUp(a.id, 100, randomUUID(), a.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await topUp(randomUUID(), 100)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await topUp(a.id, 0)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'points' });
    expect((await configure(a.id, 'PREPAID', -1)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lowBalanceThreshold' });
    // Every change is on record: the append-only movements and the audit log.
    await topUp(a.id, 100);
    expect(await count(hub.db, 'points.funding_movements', `partner_id = $1 AND kind = 'TOP_UP' AND unit_price = 0.01 AND price_currency = 'NOK'`, [a.id])).toBe(1);
    expect(await count(hub.db, 'points.audit_log', `operation = 'topUpPrepaidBlock' AND target_id = $1 AND outcome = 'OK'`, [a.id])).toBe(1);
    await expect(hub.db.query(`UPDATE points.funding_movements SET points = 1 WHERE partner_id = $1`, [a.id])).rejects.toThrow(/append-only/);
  });
});

describe('the database keeps the economics rules too', () => {
  it('refuses an unpriced earn, a reversal priced unlike its original, and an overdrawn block', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    const earned = await hub.seed.earn(partner.token, member.id, '10.00', 'NOK');
    const insert = (kind: string, price: string | null, reverses: string | null = null) =>
      hub.db.query(
        `INSERT INTO points.transactions (kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate, unit_price, price_currency, reverses)
         VALUES ($1, $2, $3, 'x', 0, 100, 'NOK', 1, $4, $5, $6)`,
        [kind, partner.id, member.id, price, price === null ? null : 'NOK', reverses],
      );
    await expect(insert('EARN', null)).rejects.toThrow(/transactions_price_snapshot_check/);
    await expect(insert('REVERSAL', '0.02', earned.id)).rejects.toThrow(/must carry the price/);
    const { rows } = await hub.db.query<{ unit_price: string; price_currency: string }>('SELECT unit_price::text, price_currency FROM points.transactions WHERE id = $1', [earned.id]);
    expect(rows[0]).toEqual({ unit_price: '0.010000', price_currency: 'NOK' });
    await expect(hub.db.query('UPDATE points.transactions SET unit_price = 0.02 WHERE id = $1', [earned.id])).rejects.toThrow(/append-only/);
    await hub.db.query(`INSERT INTO points.partner_funding (partner_id, mode, block_remaining) VALUES ($1, 'PREPAID', 5)`, [partner.id]);
    await expect(hub.db.query('UPDATE points.partner_funding SET block_remaining = block_remaining - 6 WHERE partner_id = $1', [partner.id])).rejects.toThrow(/partner_funding_block_remaining_check/);
  });
});

describe('refunds across partners', () => {
  it('never leaves more points or money than was paid for, however earn and refund are chained', async () => {
    const partners = await Promise.all(['NOK', 'NOK', 'NOK'].map(() => hub.seed.partner({ currency: 'NOK' })));
    const member = await hub.seed.member(partners[0].token);
    const before = async () => {
      const { rows } = await hub.db.query<{ issued: string; value: string }>(
        `SELECT coalesce(-sum(p.amount), 0)::text AS issued, coalesce(-sum(p.amount * t.unit_price), 0)::text AS value
           FROM points.postings p JOIN points.accounts a ON a.id = p.account_id JOIN points.transactions t ON t.id = p.transaction_id
          WHERE a.kind = 'PARTNER_ISSUED' AND a.owner_id = ANY($1::uuid[])`,
        [partners.map((p) => p.id)],
      );
      return rows[0];
    };
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < partners.length; i++) {
        const issuer = partners[i];
        const honourer = partners[(i + 1) % partners.length];
        const earned = await hub.seed.earn(issuer.token, member.id, '100.00', 'NOK');
        const spend = Math.min(60, (await ledger.points(member.token)).available);
        if (spend > 0) expect((await ledger.redeem(honourer.token, member.id, spend, await ledger.code(member.token))).errors).toBeUndefined();
        expect((await ledger.reverse(issuer.token, earned.id)).errors).toBeUndefined();
      }
    }
    // Each statement: points honoured + points the member still holds never exceed the points paid for.
    const { rows: honoured } = await hub.db.query<{ points: string }>(
      `SELECT coalesce(sum(p.amount), 0)::text AS points FROM points.postings p JOIN points.accounts a ON a.id = p.account_id
        WHERE a.kind = 'PARTNER_HONOURED' AND a.owner_id = ANY($1::uuid[])`,
      [partners.map((p) => p.id)],
    );
    const paid = await before();
    const held = (await ledger.points(member.token)).balance;
    expect(BigInt(honoured[0].points) + BigInt(held)).toBe(BigInt(paid.issued));
    // Money: every issued point is paid for at the issue price in force (0.01 NOK, the default).
    expect(parseMicros(paid.value)).toBe(BigInt(paid.issued) * 10_000n);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
    // The statements agree: what partners paid less what they were reimbursed is what the member still
    // holds (at 0.01 NOK a point), never less, so no refund chain creates money or points.
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    let statementIssued = 0n;
    let statementNet = 0n;
    for (const p of partners) {
      const s = await hub.must<{ settlementStatement: { pointsIssued: string; net: { amount: string }; roundingRemainder: string } }>(
        'query($p: ID!, $f: String!, $t: String!) { settlementStatement(partnerId: $p, from: $f, to: $t) { pointsIssued net { amount } roundingRemainder } }',
        { p: p.id, f: from, t: to },
        p.token,
      );
      expect(BigInt(s.settlementStatement.pointsIssued) >= 0n).toBe(true);
      statementIssued += BigInt(s.settlementStatement.pointsIssued);
      statementNet += parseMicros(s.settlementStatement.net.amount) + parseMicros(s.settlementStatement.roundingRemainder);
    }
    expect(statementNet).toBe(BigInt(held) * 10_000n);
    expect(statementIssued).toBe(BigInt(paid.issued));
  });
});
