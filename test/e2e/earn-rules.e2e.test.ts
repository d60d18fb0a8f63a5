import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

/**
 * The earn's rules (issue 17): baskets and stores, category rates, offers, stamp cards; each with who
 * pays and what a reversal takes back. Its own database: coalition-wide rules here would change every
 * other test's earns.
 */
let hub: TestHub;

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true });
});
afterAll(async () => hub?.stop());

const AWARDS = 'awards { kind points fundedBy { id } ruleId }';
type AwardRow = { kind: string; points: number; fundedBy: { id: string } | null; ruleId: string | null };
type Line = { sku: string; category?: string | null; quantity: number; amount: { amount: string; currency: string } };

async function earn(token: string, input: { memberId: string; amount: string; storeId?: string; lines?: Line[] }) {
  const key = randomUUID();
  return hub.query<{ earnPoints: { transaction: { id: string; points: number }; awards: AwardRow[] } }>(
    `mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } ${AWARDS} } }`,
    {
      input: {
        memberId: input.memberId,
        purchase: { amount: input.amount, currency: 'NOK' },
        reference: `R-${key}`,
        idempotencyKey: key,
        ...(input.storeId ? { storeId: input.storeId } : {}),
        ...(input.lines ? { lines: input.lines } : {}),
      },
    },
    token,
  );
}

const line = (sku: string, category: string | null, quantity: number, amount: string): Line => ({ sku, category, quantity, amount: { amount, currency: 'NOK' } });

async function store(token: string, code = `S-${randomUUID().slice(0, 8)}`): Promise<string> {
  const r = await hub.must<{ createStore: { store: { id: string } } }>(
    'mutation($input: CreateStoreInput!) { createStore(input: $input) { store { id } } }',
    { input: { code, name: `Store ${code}`, country: 'NO' } },
    token,
  );
  return r.createStore.store.id;
}

async function reverse(token: string, transactionId: string) {
  return hub.query<{ reverseTransaction: { transaction: { id: string; points: number } } }>(
    'mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { id points } } }',
    { input: { transactionId, idempotencyKey: randomUUID() } },
    token,
  );
}

async function balance(memberToken: string): Promise<number> {
  return (await hub.must<{ me: { points: { balance: number } } }>('{ me { points { balance } } }', {}, memberToken)).me.points.balance;
}

describe('basket and store', () => {
  it('keeps the store and lines with the earn, shows them to the partner only, and totals them per store in its statement CSV', async () => {
    const grocer = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(grocer.token);
    const shop = await store(grocer.token);
    const lines = [line('APPLE-1', 'produce', 3, '30.00'), line('MILK-1', 'dairy', 2, '40.00'), line('BREAD', null, 1, '30.00')];
    const r = await earn(grocer.token, { memberId: member.id, amount: '100.00', storeId: shop, lines });
    expect(r.errors).toBeUndefined();
    const id = r.data!.earnPoints.transaction.id;
    const query = `query($id: ID!) { pointsTransaction(id: $id) { store { id } lines { sku category quantity amount { amount currency } } } }`;
    const seen = await hub.must<{ pointsTransaction: { store: { id: string } | null; lines: Line[] | null } }>(query, { id }, grocer.token);
    expect(seen.pointsTransaction).toEqual({ store: { id: shop }, lines });
    // The member sees the transaction, not the partner's store and basket.
    expect((await hub.must<{ pointsTransaction: unknown }>(query, { id }, member.token)).pointsTransaction).toEqual({ store: null, lines: null });

    await earn(grocer.token, { memberId: member.id, amount: '20.00', storeId: shop });
    await earn(grocer.token, { memberId: member.id, amount: '7.00' }); // no store: not in the per-store lines
    expect((await reverse(grocer.token, id)).errors).toBeUndefined();
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const url = `${new URL('/reports/settlement.csv', hub.gatewayUrl).toString()}?${new URLSearchParams({ partnerId: grocer.id, from, to }).toString()}`;
    const csv = await (await fetch(url, { headers: { authorization: `Bearer ${grocer.token}` } })).text();
    const rows = csv.trimEnd().split('\r\n').map((l) => l.split(','));
    expect(rows[0].at(-1)).toBe('store_id');
    expect(rows.filter((row) => row[4].startsWith('store_')).map((row) => [row[4], row[6], row[7], row[9]])).toEqual([
      ['store_earned', '120', '120.00', shop],
      ['store_refunded', '100', '', shop],
    ]);
  });

  it('refuses lines that do not add up, a foreign or closed store, lines in another currency', async () => {
    const grocer = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const other = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(grocer.token);
    const refusal = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => [r.errors?.[0]?.extensions?.code, r.errors?.[0]?.extensions?.field];
    expect(refusal(await earn(grocer.token, { memberId: member.id, amount: '100.00', lines: [line('A', null, 1, '60.00'), line('B', null, 1, '30.00')] }))).toEqual([
      'BAD_USER_INPUT',
      'lines',
    ]);
    expect(refusal(await earn(grocer.token, { memberId: member.id, amount: '10.00', lines: [{ sku: 'A', quantity: 1, amount: { amount: '10.00', currency: 'EUR' } }] }))).toEqual([
      'BAD_USER_INPUT',
      'lines.0.amount.currency',
    ]);
    expect(refusal(await earn(grocer.token, { memberId: member.id, amount: '10.00', lines: [line('A', null, 0, '10.00')] }))).toEqual(['BAD_USER_INPUT', 'lines.0.quantity']);
    expect(refusal(await earn(grocer.token, { memberId: member.id, amount: '10.00', storeId: await store(other.token) }))).toEqual(['BAD_USER_INPUT', 'storeId']);
    const closed = await store(grocer.token);
    await hub.must('mutation($input: UpdateStoreInput!) { updateStore(input: $input) { store { id } } }', { input: { storeId: closed, active: false } }, grocer.token);
    expect(refusal(await earn(grocer.token, { memberId: member.id, amount: '10.00', storeId: closed }))).toEqual(['BAD_USER_INPUT', 'storeId']);
    expect(await balance(member.token)).toBe(0);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});
