import { randomUUID } from 'node:crypto';
import { isValidIBAN } from 'ibantools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from 'xmlbuilder2';
import { count, startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
let partner: { id: string; token: string };
let admin: string;
const DEBTOR_IBAN = 'NL91ABNA0417164300';

beforeAll(async () => {
  hub = await startHub({
    env: {
      CASHOUT_MIN_POINTS: '100',
      CASHOUT_POINT_VALUE: '0.0125',
      COALITION_CURRENCY: 'EUR',
      COALITION_DEBTOR_NAME: 'Coalition Hub B.V.',
      COALITION_DEBTOR_IBAN: DEBTOR_IBAN,
      COALITION_DEBTOR_BIC: 'ABNANL2A',
    },
  });
  partner = await hub.seed.partner({ currency: 'EUR', earnRate: '10' });
  admin = await hub.admin();
});
afterAll(async () => hub?.stop());

type Cashout = { id: string; points: number; amount: { amount: string; currency: string }; iban: string; status: string; transactionId: string; returnTransactionId: string | null };
const CASHOUT = 'id points amount { amount currency } iban status transactionId returnTransactionId';
const requestCashout = (token: string, points: number, iban: string, key = randomUUID()) =>
  hub.query<{ requestCashout: { cashout: Cashout } }>(`mutation($input: RequestCashoutInput!) { requestCashout(input: $input) { cashout { ${CASHOUT} } } }`, { input: { points, iban, idempotencyKey: key } }, token);
const balance = async (memberId: string) => Number((await hub.db.query(`SELECT balance FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [memberId])).rows[0]?.balance ?? 0);
const BATCH = `id messageId status payouts total { amount currency } cashouts { ${CASHOUT} }`;
type Batch = { id: string; messageId: string; status: string; payouts: number; total: { amount: string; currency: string }; cashouts: Cashout[] };
const createBatch = (key = randomUUID()) => hub.query<{ createPayoutBatch: { batch: Batch } }>(`mutation($i: CreatePayoutBatchInput!) { createPayoutBatch(input: $i) { batch { ${BATCH} } } }`, { i: { idempotencyKey: key } }, admin);
const settle = (batchId: string, outcome: 'PAID' | 'FAILED', failedCashoutIds: string[] = [], key = randomUUID()) =>
  hub.query<{ settlePayoutBatch: { batch: Batch } }>(`mutation($i: SettlePayoutBatchInput!) { settlePayoutBatch(input: $i) { batch { ${BATCH} } } }`, { i: { batchId, outcome, failedCashoutIds, idempotencyKey: key } }, admin);
const download = async (batchId: string, token = admin) => {
  const response = await fetch(`${hub.gatewayUrl.replace(/\/graphql$/, '')}/payouts/${batchId}/pain.001.xml`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), text: await response.text() };
};
const member = async (points: number, name = 'Åsa Öberg-Ñúñez') => {
  const m = await hub.seed.member(partner.token, { displayName: name });
  await hub.seed.earn(partner.token, m.id, (points / 10).toFixed(2), 'EUR');
  return m;
};
const code = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => ({ code: r.errors?.[0]?.extensions?.code, field: r.errors?.[0]?.extensions?.field });

describe('requestCashout', () => {
  it('refuses below the minimum, a bad IBAN, more than the member has, and anyone but the member: nothing is written', async () => {
    const m = await member(300);
    expect(code(await requestCashout(m.token, 99, 'DE89370400440532013000'))).toEqual({ code: 'CASHOUT_BELOW_MINIMUM', field: undefined });
    expect(code(await requestCashout(m.token, 100, 'DE89370400440532013001'))).toEqual({ code: 'BAD_USER_INPUT', field: 'iban' }); // check digits wrong
    expect(code(await requestCashout(m.token, 100, 'DE8937040044053201300'))).toEqual({ code: 'BAD_USER_INPUT', field: 'iban' }); // too short for DE
    expect(code(await requestCashout(m.token, 301, 'DE89370400440532013000'))).toEqual({ code: 'INSUFFICIENT_POINTS', field: undefined });
    expect(code(await requestCashout(partner.token, 100, 'DE89370400440532013000'))).toEqual({ code: 'FORBIDDEN', field: undefined });
    expect(await count(hub.db, 'points.cashouts', 'member_id = $1', [m.id])).toBe(0);
    expect(await balance(m.id)).toBe(300);
  });

  it('takes the points at once in a CASHOUT drawn on the lots, into the coalition cashout account, worth points × the value per point; idempotent and audited', async () => {
    const m = await member(300);
    const key = randomUUID();
    const first = await requestCashout(m.token, 250, 'de89 3704 0044 0532 0130 00', key);
    expect(first.errors).toBeUndefined();
    const cashout = first.data!.requestCashout.cashout;
    expect(cashout).toMatchObject({ points: 250, amount: { amount: '3.12', currency: 'EUR' }, iban: 'DE89**************3000', status: 'PENDING', returnTransactionId: null });
    expect((await requestCashout(m.token, 250, 'DE89370400440532013000', key)).data?.requestCashout.cashout.id).toBe(cashout.id);
    expect(code(await requestCashout(m.token, 260, 'DE89370400440532013000', key))).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', field: undefined });
    expect(await balance(m.id)).toBe(50);
    const postings = await hub.db.query(`SELECT a.kind, p.amount FROM points.postings p JOIN points.accounts a ON a.id = p.account_id WHERE p.transaction_id = $1 ORDER BY p.amount`, [cashout.transactionId]);
    expect(postings.rows).toEqual([
      { kind: 'MEMBER', amount: '-250' },
      { kind: 'COALITION_CASHOUT', amount: '250' },
    ]);
    const tx = (await hub.db.query(`SELECT kind, points, partner_id, unit_price, price_currency FROM points.transactions WHERE id = $1`, [cashout.transactionId])).rows[0];
    expect(tx).toEqual({ kind: 'CASHOUT', points: '-250', partner_id: null, unit_price: '0.012500', price_currency: 'EUR' });
    const drawn = await hub.db.query(`SELECT l.partner_id, m.points FROM points.lot_movements m JOIN points.lots l ON l.id = m.lot_id WHERE m.transaction_id = $1`, [cashout.transactionId]);
    expect(drawn.rows).toEqual([{ partner_id: partner.id, points: '-250' }]);
    // Audited: the request and its replay, one row each.
    expect(await count(hub.db, 'points.audit_log', `operation = 'requestCashout' AND target_id = $1 AND outcome = 'OK'`, [cashout.id])).toBe(2);
    const mine = await hub.query<{ myCashouts: Cashout[] }>(`{ myCashouts { ${CASHOUT} } }`, {}, m.token);
    expect(mine.data?.myCashouts.map((c) => c.id)).toEqual([cashout.id]);
  });
});

describe('payouts', () => {
  it('the operator lists pending payouts, batches them, downloads a pain.001.001.03 file (checked field by field), marks it paid except one returned payout whose points come back once', async () => {
    // Earlier tests left pending cashouts: pay them in a batch of their own first.
    const earlier = await createBatch();
    if (!earlier.errors) await settle(earlier.data!.createPayoutBatch.batch.id, 'PAID');
    const a = await member(500, 'Anna Müller');
    const b = await member(400, 'Bob <Smith> & Co');
    const ca = (await requestCashout(a.token, 480, 'DE89370400440532013000')).data!.requestCashout.cashout;
    const cb = (await requestCashout(b.token, 400, 'FR14 2004 1010 0505 0001 3M02 606')).data!.requestCashout.cashout;
    const pending = await hub.query<{ cashouts: Cashout[] }>(`{ cashouts(status: PENDING) { ${CASHOUT} } }`, {}, admin);
    expect(pending.data?.cashouts.map((c) => c.id)).toEqual([ca.id, cb.id]);
    expect(code(await hub.query(`{ cashouts { id } }`, {}, a.token))).toEqual({ code: 'FORBIDDEN', field: undefined });

    const key = randomUUID();
    const batch = (await createBatch(key)).data!.createPayoutBatch.batch;
    expect(batch).toMatchObject({ status: 'EXPORTED', payouts: 2, total: { amount: '11.00', currency: 'EUR' } });
    expect(batch.cashouts.map((c) => [c.id, c.status])).toEqual([[ca.id, 'BATCHED'], [cb.id, 'BATCHED']]);
    expect((await createBatch(key)).data?.createPayoutBatch.batch.id).toBe(batch.id); // replay
    expect(code(await createBatch())).toEqual({ code: 'BAD_USER_INPUT', field: 'cashouts' }); // nothing pending

    const file = await download(batch.id);
    expect(file.status).toBe(200);
    expect(file.type).toBe('application/xml; charset=utf-8');
    expect(file.disposition).toBe(`attachment; filename="${batch.messageId}.pain.001.xml"`);
    expect((await download(batch.id, a.token)).status).toBe(403);
    expect((await download(randomUUID())).status).toBe(404);
    expect(file.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    type El = Record<string, unknown>;
    const doc = convert(file.text, { format: 'object' }) as { Document: El };
    expect(doc.Document['@xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
    const root = doc.Document.CstmrCdtTrfInitn as El;
    expect(Object.keys(root)).toEqual(['GrpHdr', 'PmtInf']);
    const header = root.GrpHdr as El;
    expect(Object.keys(header)).toEqual(['MsgId', 'CreDtTm', 'NbOfTxs', 'CtrlSum', 'InitgPty']); // the schema's order
    expect(header.MsgId).toBe(batch.messageId);
    expect(String(header.MsgId).length).toBeLessThanOrEqual(35);
    expect(header.CreDtTm).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(header).toMatchObject({ NbOfTxs: '2', CtrlSum: '11.00', InitgPty: { Nm: 'Coalition Hub B.V.' } });
    const info = root.PmtInf as El;
    expect(Object.keys(info)).toEqual(['PmtInfId', 'PmtMtd', 'BtchBookg', 'NbOfTxs', 'CtrlSum', 'PmtTpInf', 'ReqdExctnDt', 'Dbtr', 'DbtrAcct', 'DbtrAgt', 'ChrgBr', 'CdtTrfTxInf']);
    expect(info).toMatchObject({
      PmtMtd: 'TRF',
      NbOfTxs: '2',
      CtrlSum: '11.00',
      PmtTpInf: { SvcLvl: { Cd: 'SEPA' } },
      Dbtr: { Nm: 'Coalition Hub B.V.' },
      DbtrAcct: { Id: { IBAN: DEBTOR_IBAN } },
      DbtrAgt: { FinInstnId: { BIC: 'ABNANL2A' } },
      ChrgBr: 'SLEV',
    });
    expect(info.ReqdExctnDt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const txs = info.CdtTrfTxInf as El[];
    expect(txs.map((t) => Object.keys(t))).toEqual([Array(5).fill(0).map((_, i) => ['PmtId', 'Amt', 'Cdtr', 'CdtrAcct', 'RmtInf'][i]), ['PmtId', 'Amt', 'Cdtr', 'CdtrAcct', 'RmtInf']]);
    expect(txs[0]).toMatchObject({ PmtId: { EndToEndId: ca.id.replace(/-/g, '') }, Amt: { InstdAmt: { '@Ccy': 'EUR', '#': '6.00' } }, Cdtr: { Nm: 'Anna Muller' }, CdtrAcct: { Id: { IBAN: 'DE89370400440532013000' } } });
    // Names outside SEPA's character set are transliterated or blanked, never passed through (nor able to break the XML).
    expect(txs[1]).toMatchObject({ Amt: { InstdAmt: { '@Ccy': 'EUR', '#': '5.00' } }, Cdtr: { Nm: 'Bob Smith Co' }, CdtrAcct: { Id: { IBAN: 'FR1420041010050500013M02606' } } });
    for (const t of txs) expect(isValidIBAN(((t.CdtrAcct as El).Id as El).IBAN as string)).toBe(true);
    expect(txs.reduce((sum, t) => sum + Number(((t.Amt as El).InstdAmt as El)['#']), 0).toFixed(2)).toBe(header.CtrlSum);

    const settleKey = randomUUID();
    const settled = (await settle(batch.id, 'PAID', [cb.id], settleKey)).data!.settlePayoutBatch.batch;
    expect(settled.status).toBe('SETTLED');
    const byId = Object.fromEntries(settled.cashouts.map((c) => [c.id, c]));
    expect(byId[ca.id]).toMatchObject({ status: 'PAID', returnTransactionId: null });
    expect(byId[cb.id].status).toBe('FAILED');
    expect(await balance(a.id)).toBe(20);
    expect(await balance(b.id)).toBe(400);
    const back = (await hub.db.query(`SELECT kind, points, reverses, unit_price FROM points.transactions WHERE id = $1`, [byId[cb.id].returnTransactionId])).rows[0];
    expect(back).toEqual({ kind: 'CASHOUT_RETURN', points: '400', reverses: cb.transactionId, unit_price: '0.012500' });
    expect((await hub.db.query(`SELECT sum(remaining)::int AS r FROM points.lots l JOIN points.accounts a ON a.id = l.account_id WHERE a.owner_id = $1`, [b.id])).rows[0].r).toBe(400);
    expect((await settle(batch.id, 'PAID', [cb.id], settleKey)).data?.settlePayoutBatch.batch.id).toBe(batch.id); // replay
    expect(code(await settle(batch.id, 'FAILED'))).toEqual({ code: 'ALREADY_FINALIZED', field: undefined });
    expect(await balance(b.id)).toBe(400);
    expect(await count(hub.db, 'points.audit_log', `operation = 'settlePayoutBatch' AND target_id = $1 AND outcome = 'OK'`, [batch.id])).toBe(2); // the call and its replay
    expect(await count(hub.db, 'points.audit_log', `operation = 'settlePayoutBatch' AND target_id = $1 AND outcome = 'ALREADY_FINALIZED'`, [batch.id])).toBe(1);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('a failed batch gives every payout back; a payout of another batch cannot be named', async () => {
    const a = await member(200);
    const ca = (await requestCashout(a.token, 150, 'DE89370400440532013000')).data!.requestCashout.cashout;
    const batch = (await createBatch()).data!.createPayoutBatch.batch;
    expect(code(await settle(batch.id, 'PAID', [randomUUID()]))).toEqual({ code: 'BAD_USER_INPUT', field: 'failedCashoutIds' });
    const settled = (await settle(batch.id, 'FAILED')).data!.settlePayoutBatch.batch;
    expect(settled.cashouts.map((c) => [c.id, c.status])).toEqual([[ca.id, 'FAILED']]);
    expect(await balance(a.id)).toBe(200);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});
