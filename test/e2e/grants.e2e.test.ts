import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, PARTNER_SCOPES, startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
let partner: { id: string; token: string };
let granter: string;

beforeAll(async () => {
  hub = await startHub({ env: { MARKETING_POINT_PRICE: '0.008', COALITION_CURRENCY: 'EUR', LOG_LEVEL: 'error' } });
  partner = await hub.seed.partner({ currency: 'EUR', earnRate: '10' });
  granter = await hub.partnerToken(partner.id, `${PARTNER_SCOPES} points:grant`);
});
afterAll(async () => hub?.stop());

type Tx = { id: string; kind: string; points: number; partner: { id: string } | null; awards: { kind: string; points: number; fundedBy: { id: string } | null; ruleId: string | null }[] };
const GRANT = 'mutation($input: GrantPointsInput!) { grantPoints(input: $input) { transaction { id kind points partner { id } awards { kind points fundedBy { id } ruleId } } } }';
const grant = (token: string, input: Record<string, unknown>) =>
  hub.query<{ grantPoints: { transaction: Tx } }>(GRANT, { input: { reason: 'Sorry for the wait', reference: 'TICKET-1', idempotencyKey: randomUUID(), ...input } }, token);
const balance = async (memberId: string) =>
  Number((await hub.db.query(`SELECT balance FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [memberId])).rows[0]?.balance ?? 0);
const postings = async (transactionId: string) =>
  (
    await hub.db.query(
      `SELECT a.kind, a.owner_id, p.amount FROM points.postings p JOIN points.accounts a ON a.id = p.account_id WHERE p.transaction_id = $1 ORDER BY p.amount`,
      [transactionId],
    )
  ).rows;

describe('grantPoints', () => {
  it('admin grants from the coalition marketing budget: a GRANT at the marketing price, award GOODWILL funded by the coalition, a lot with no partner, reason kept, audited', async () => {
    const member = await hub.seed.member(partner.token);
    const result = await grant(await hub.admin(), { memberId: member.id, points: 500 });
    expect(result.errors).toBeUndefined();
    const tx = result.data!.grantPoints.transaction;
    expect(tx).toMatchObject({ kind: 'GRANT', points: 500, partner: null, awards: [{ kind: 'GOODWILL', points: 500, fundedBy: null, ruleId: null }] });
    expect(await postings(tx.id)).toEqual([
      { kind: 'COALITION_MARKETING', owner_id: null, amount: '-500' },
      { kind: 'MEMBER', owner_id: member.id, amount: '500' },
    ]);
    const row = (await hub.db.query(`SELECT unit_price, price_currency FROM points.transactions WHERE id = $1`, [tx.id])).rows[0];
    expect(row).toEqual({ unit_price: '0.008000', price_currency: 'EUR' });
    expect((await hub.db.query(`SELECT partner_id, points FROM points.lots WHERE transaction_id = $1`, [tx.id])).rows).toEqual([{ partner_id: null, points: '500' }]);
    expect((await hub.db.query(`SELECT reason, granted_by FROM points.grants WHERE transaction_id = $1`, [tx.id])).rows).toEqual([{ reason: 'Sorry for the wait', granted_by: 'operator' }]);
    expect(await count(hub.db, 'points.audit_log', `operation = 'grantPoints' AND target_id = $1 AND outcome = 'OK'`, [tx.id])).toBe(1);
    expect(await balance(member.id)).toBe(500);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('admin bills a named partner at its issue price; a partner with points:grant pays itself', async () => {
    const member = await hub.seed.member(partner.token);
    const billed = (await grant(await hub.admin(), { memberId: member.id, points: 40, fundedByPartnerId: partner.id })).data!.grantPoints.transaction;
    expect(billed).toMatchObject({ kind: 'GRANT', points: 40, partner: { id: partner.id }, awards: [{ kind: 'GOODWILL', points: 40, fundedBy: { id: partner.id } }] });
    const own = (await grant(granter, { memberId: member.id, points: 60 })).data!.grantPoints.transaction;
    expect(own).toMatchObject({ kind: 'GRANT', points: 60, partner: { id: partner.id }, awards: [{ kind: 'GOODWILL', points: 60, fundedBy: { id: partner.id } }] });
    for (const tx of [billed, own]) {
      expect((await postings(tx.id))[0]).toEqual({ kind: 'PARTNER_ISSUED', owner_id: partner.id, amount: `-${tx.points}` });
    }
    const issuePrice = (await hub.db.query(`SELECT DISTINCT unit_price FROM points.transactions WHERE id = ANY($1::uuid[])`, [[billed.id, own.id]])).rows;
    expect(issuePrice).toHaveLength(1);
    expect(await balance(member.id)).toBe(100);
  });

  it('refuses: a partner without points:grant, a partner naming another payer, a member; nothing is written', async () => {
    const member = await hub.seed.member(partner.token);
    const other = await hub.seed.partner({ currency: 'EUR' });
    expect((await grant(partner.token, { memberId: member.id, points: 10 })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await grant(granter, { memberId: member.id, points: 10, fundedByPartnerId: other.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await grant(member.token, { memberId: member.id, points: 10 })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count(hub.db, 'points.transactions', `member_id = $1`, [member.id])).toBe(0);
  });

  it('checks its input: points 1 to 1,000,000, a reason, an existing member, an existing payer', async () => {
    const member = await hub.seed.member(partner.token);
    const admin = await hub.admin();
    const refusal = async (input: Record<string, unknown>) => {
      const e = (await grant(admin, { memberId: member.id, points: 10, ...input })).errors?.[0]?.extensions;
      return { code: e?.code, field: e?.field };
    };
    expect(await refusal({ points: 0 })).toEqual({ code: 'BAD_USER_INPUT', field: 'points' });
    expect(await refusal({ points: 1_000_001 })).toEqual({ code: 'BAD_USER_INPUT', field: 'points' });
    expect(await refusal({ reason: '  ' })).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(await refusal({ memberId: randomUUID() })).toEqual({ code: 'NOT_FOUND', field: undefined });
    expect(await refusal({ fundedByPartnerId: randomUUID() })).toEqual({ code: 'NOT_FOUND', field: undefined });
    expect(await count(hub.db, 'points.transactions', `member_id = $1`, [member.id])).toBe(0);
  });

  it('refuses a closed membership (MEMBER_CLOSED), one by one and in a file', async () => {
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '1.00', 'EUR');
    await hub.must('mutation($input: CloseMembershipInput!) { closeMembership(input: $input) { member { id } } }', { input: { remainingPoints: 'FORFEIT', idempotencyKey: randomUUID() } }, member.token);
    expect((await grant(await hub.admin(), { memberId: member.id, points: 10 })).errors?.[0]?.extensions?.code).toBe('MEMBER_CLOSED');
    const other = await hub.seed.member(partner.token);
    const response = await fetch(`${hub.gatewayUrl.replace(/\/graphql$/, '')}/imports/grants.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${await hub.admin()}`, 'idempotency-key': randomUUID() },
      body: `memberId,points,reason,reference\n${other.id},5,ok,A\n${member.id},5,closed,B\n`,
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { errors: { line: number; code: string }[] }).errors.map((e) => [e.line, e.code])).toEqual([[3, 'MEMBER_CLOSED']]);
    expect(await count(hub.db, 'points.transactions', `member_id = ANY($1::uuid[]) AND kind = 'GRANT'`, [[member.id, other.id]])).toBe(0);
  });

  it('is idempotent: the same key answers the same grant; another input with it is IDEMPOTENCY_KEY_REUSED', async () => {
    const member = await hub.seed.member(partner.token);
    const admin = await hub.admin();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 5 }, () => grant(admin, { memberId: member.id, points: 25, idempotencyKey: key })));
    expect(new Set(results.map((r) => r.data?.grantPoints.transaction.id)).size).toBe(1);
    expect(await balance(member.id)).toBe(25);
    expect((await grant(admin, { memberId: member.id, points: 26, idempotencyKey: key })).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count(hub.db, 'points.transactions', `member_id = $1`, [member.id])).toBe(1);
  });

  it("a prepaid partner's grant draws on its block: PREPAID_BLOCK_EXHAUSTED beyond it", async () => {
    const prepaid = await hub.seed.partner({ currency: 'EUR' });
    const admin = await hub.admin();
    await hub.must(
      'mutation($i: ConfigurePartnerFundingInput!) { configurePartnerFunding(input: $i) { funding { mode } } }',
      { i: { partnerId: prepaid.id, mode: 'PREPAID', lowBalanceThreshold: 0, idempotencyKey: randomUUID() } },
      admin,
    );
    await hub.must('mutation($i: TopUpPrepaidBlockInput!) { topUpPrepaidBlock(input: $i) { funding { blockRemaining } } }', { i: { partnerId: prepaid.id, points: 100, idempotencyKey: randomUUID() } }, admin);
    const member = await hub.seed.member(partner.token);
    const token = await hub.partnerToken(prepaid.id, 'points:grant');
    expect((await grant(token, { memberId: member.id, points: 80 })).errors).toBeUndefined();
    expect((await grant(token, { memberId: member.id, points: 30 })).errors?.[0]?.extensions?.code).toBe('PREPAID_BLOCK_EXHAUSTED');
    expect((await hub.db.query(`SELECT block_remaining FROM points.partner_funding WHERE partner_id = $1`, [prepaid.id])).rows[0].block_remaining).toBe('20');
    expect(await balance(member.id)).toBe(80);
  });

  it('a grant repays clawbacks the member owes first', async () => {
    // A refund of points already spent leaves a clawback; new points repay it before they are spendable.
    const member = await hub.seed.member(partner.token);
    const earned = await hub.seed.earn(partner.token, member.id, '10.00', 'EUR');
    const code = (await hub.must<{ createRedemptionCode: { code: string } }>('mutation { createRedemptionCode(input: {}) { code } }', {}, member.token)).createRedemptionCode.code;
    await hub.must('mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { transaction { id } } }', { input: { memberId: member.id, points: 100, redemptionCode: code, reference: 'R', idempotencyKey: randomUUID() } }, partner.token);
    await hub.must('mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { id } } }', { input: { transactionId: earned.id, idempotencyKey: randomUUID() } }, partner.token);
    expect((await hub.db.query(`SELECT sum(outstanding)::int AS owed FROM points.clawbacks c JOIN points.accounts a ON a.id = c.account_id WHERE a.owner_id = $1`, [member.id])).rows[0].owed).toBe(100);
    await grant(await hub.admin(), { memberId: member.id, points: 150 });
    expect((await hub.db.query(`SELECT sum(outstanding)::int AS owed FROM points.clawbacks c JOIN points.accounts a ON a.id = c.account_id WHERE a.owner_id = $1`, [member.id])).rows[0].owed).toBe(0);
    expect(await balance(member.id)).toBe(50);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});

describe('POST /imports/grants.csv', () => {
  const upload = async (csv: string, token: string | null, options: { key?: string | null; contentType?: string; method?: string; query?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'text/csv' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.key !== null) headers['idempotency-key'] = options.key ?? randomUUID();
    const response = await fetch(`${hub.gatewayUrl.replace(/\/graphql$/, '')}/imports/grants.csv${options.query ?? ''}`, {
      method: options.method ?? 'POST',
      headers,
      body: options.method === 'GET' ? undefined : csv,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const members = async (n: number) => {
    const out: { id: string; cardNumber: string }[] = [];
    for (let start = 0; start < n; start += 25) out.push(...(await Promise.all(Array.from({ length: Math.min(25, n - start) }, () => hub.seed.member(partner.token)))));
    return out;
  };

  it('grants a file of 1,000 rows at once from the coalition budget, one import audited; the same key and file replays; another file with that key is 409', async () => {
    const people = await members(1000);
    const lines = people.map((m, i) => (i % 50 === 0 ? `,${m.cardNumber},${10 + (i % 7)},Campaign Q4,"CAMP-${i}"` : `${m.id},,${10 + (i % 7)},Campaign Q4,CAMP-${i}`));
    const csv = `memberId,cardNumber,points,reason,reference\n${lines.join('\n')}\n`;
    const expectedPoints = people.reduce((sum, _, i) => sum + 10 + (i % 7), 0);
    const key = randomUUID();
    const started = Date.now();
    const first = await upload(csv, await hub.admin(), { key });
    const took = Date.now() - started;
    expect(first.status).toBe(201);
    const grantImport = (first.body as { grantImport: { id: string; rows: number; points: number; fundedBy: null } }).grantImport;
    expect(grantImport).toMatchObject({ rows: 1000, points: expectedPoints, fundedBy: null });
    expect(await count(hub.db, 'points.grants', 'import_id = $1', [grantImport.id])).toBe(1000);
    const lineOf = (await hub.db.query(`SELECT g.line, t.member_id, t.points FROM points.grants g JOIN points.transactions t ON t.id = g.transaction_id WHERE g.import_id = $1 ORDER BY g.line`, [grantImport.id])).rows;
    expect(lineOf[0]).toEqual({ line: 2, member_id: people[0].id, points: '10' });
    expect(lineOf[999]).toEqual({ line: 1001, member_id: people[999].id, points: String(10 + (999 % 7)) });
    expect(await balance(people[50].id)).toBe(10 + (50 % 7)); // a row given by card number
    expect(await count(hub.db, 'points.audit_log', `operation = 'importGrants' AND target_id = $1 AND outcome = 'OK'`, [grantImport.id])).toBe(1);
    console.log(`1,000-row grants import: ${took} ms`);

    const again = await upload(csv, await hub.admin(), { key });
    expect(again).toMatchObject({ status: 200, body: { replayed: true, grantImport: { id: grantImport.id } } });
    expect(await count(hub.db, 'points.grants', 'import_id = $1', [grantImport.id])).toBe(1000);
    expect(await count(hub.db, 'points.transactions', `kind = 'GRANT' AND member_id = $1`, [people[0].id])).toBe(1);
    const other = await upload(`${csv}${people[1].id},,5,extra,X\n`, await hub.admin(), { key });
    expect(other.status).toBe(409);
    expect((other.body as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  }, 120_000);

  it('checks every row first and writes nothing when any is wrong: each problem by line', async () => {
    const [a, b] = await members(2);
    const csv = [
      'memberId,cardNumber,points,reason,reference',
      `${a.id},,10,ok,R1`, // line 2
      `${a.id},,ten,bad points,R2`, // line 3
      `${randomUUID()},,10,no such member,R3`, // line 4
      `,0000000000000000,10,no such card,R4`, // line 5
      `${b.id},,10,,R5`, // line 6: no reason
      `${b.id},${b.cardNumber},10,both,R6`, // line 7
      `${b.id},,2000000,too many,R7`, // line 8
    ].join('\n');
    const result = await upload(csv, await hub.admin());
    expect(result.status).toBe(422);
    const errors = (result.body as { errors: { line: number; field: string; code: string }[] }).errors.map((e) => ({ line: e.line, field: e.field, code: e.code }));
    expect(errors).toEqual([
      { line: 3, field: 'points', code: 'BAD_USER_INPUT' },
      { line: 5, field: 'cardNumber', code: 'NOT_FOUND' },
      { line: 7, field: 'cardNumber', code: 'BAD_USER_INPUT' },
    ]);
    // Once the file's own shape is right, the points subgraph checks the rest, again all at once.
    const second = await upload([csv.split('\n')[0], ...csv.split('\n').slice(1).filter((_, i) => ![1, 3, 5].includes(i))].join('\n'), await hub.admin());
    expect(second.status).toBe(422);
    expect((second.body as { errors: { line: number; field: string; code: string }[] }).errors.map((e) => ({ line: e.line, field: e.field, code: e.code }))).toEqual([
      { line: 3, field: 'memberId', code: 'NOT_FOUND' },
      { line: 4, field: 'reason', code: 'BAD_USER_INPUT' },
      { line: 5, field: 'points', code: 'BAD_USER_INPUT' },
    ]);
    expect(await count(hub.db, 'points.transactions', 'member_id = ANY($1::uuid[])', [[a.id, b.id]])).toBe(0);
  });

  it('refuses a bad header, a missing key, another content type, a GET, no token, a partner without points:grant', async () => {
    const [a] = await members(1);
    const row = `${a.id},10,ok,R1`;
    const admin = await hub.admin();
    const bad = await upload(`member,points,reason,reference\n${row}`, admin);
    expect(bad).toMatchObject({ status: 422, body: { errors: [{ line: 1, field: 'csv', code: 'BAD_USER_INPUT' }] } });
    expect((await upload(`memberId,points,reason,reference\n${row}`, admin, { key: null })).status).toBe(400);
    expect((await upload(`memberId,points,reason,reference\n${row}`, admin, { contentType: 'text/plain' })).status).toBe(415);
    expect((await upload('', admin, { method: 'GET' })).status).toBe(405);
    expect((await upload(`memberId,points,reason,reference\n${row}`, null)).status).toBe(401);
    expect((await upload(`memberId,points,reason,reference\n${row}`, partner.token)).status).toBe(403);
    expect(await balance(a.id)).toBe(0);
  });

  it('a partner with points:grant imports at its own cost; card numbers need members:lookup', async () => {
    const [a, b] = await members(2);
    const ok = await upload(`memberId,points,reason,reference\n${a.id},7,thanks,P1\n`, granter);
    expect(ok).toMatchObject({ status: 201, body: { grantImport: { rows: 1, points: 7, fundedBy: { id: partner.id } } } });
    const cardsOnly = await hub.partnerToken(partner.id, 'points:grant');
    const cards = await upload(`cardNumber,points,reason,reference\n${b.cardNumber},7,thanks,P2\n`, cardsOnly);
    expect(cards).toMatchObject({ status: 422, body: { errors: [{ line: 2, field: 'cardNumber', code: 'FORBIDDEN' }] } });
    expect(await balance(a.id)).toBe(7);
    expect(await balance(b.id)).toBe(0);
  });
});
