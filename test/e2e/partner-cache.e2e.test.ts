import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerChangeHeard, startHub, type TestHub } from '../support/hub';

/**
 * The earn keeps the calling partner's facts per process (PARTNER_CACHE_SECONDS, here the default 60 s):
 * every change must still take effect at once, through the partners subgraph's change notices, and a
 * version set for later exactly when it starts, although the kept facts would otherwise last a minute.
 */
let hub: TestHub;
let admin: string;

beforeAll(async () => {
  hub = await startHub();
  admin = await hub.admin();
});
afterAll(async () => hub?.stop());

const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } awards { kind points } } }';

async function earn(token: string, memberId: string, lines?: unknown[]) {
  const key = randomUUID();
  return hub.query<{ earnPoints: { transaction: { points: number }; awards: { kind: string; points: number }[] } }>(
    EARN,
    { input: { memberId, purchase: { amount: '100.00', currency: 'NOK' }, reference: `R-${key}`, idempotencyKey: key, ...(lines ? { lines } : {}) } },
    token,
  );
}

async function points(token: string, memberId: string): Promise<number> {
  const result = await earn(token, memberId);
  expect(result.errors).toBeUndefined();
  return result.data!.earnPoints.transaction.points;
}

async function adminDoes(query: string, variables: Record<string, unknown>, token = admin) {
  const result = await hub.query(query, variables, token);
  expect(result.errors).toBeUndefined();
}

const TERMS = 'mutation($input: UpdatePartnerTermsInput!) { updatePartnerTerms(input: $input) { terms { earnRate } } }';
const RATE = 'mutation($input: SetCategoryRateInput!) { setCategoryRate(input: $input) { rate { id } } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the calling partner kept per process', () => {
  it('applies new terms at the next earn once the change is heard (not a minute later)', async () => {
    const shop = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(shop.token);
    expect(await points(shop.token, member.id)).toBe(100);
    expect(await points(shop.token, member.id)).toBe(100); // kept now
    await adminDoes(TERMS, { input: { partnerId: shop.id, earnRate: '3', idempotencyKey: randomUUID() } });
    await partnerChangeHeard();
    expect(await points(shop.token, member.id)).toBe(300);
  });

  it('applies terms set for later exactly from then, not a minute later', async () => {
    const shop = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(shop.token);
    const from = new Date(Date.now() + 2_500);
    await adminDoes(TERMS, { input: { partnerId: shop.id, earnRate: '2', validFrom: from.toISOString(), idempotencyKey: randomUUID() } });
    // Read and kept after the change was announced: only the version's start can end what is kept.
    expect(await points(shop.token, member.id)).toBe(100);
    expect(await points(shop.token, member.id)).toBe(100);
    await sleep(from.getTime() - Date.now() + 300);
    expect(await points(shop.token, member.id)).toBe(200);
  });

  it('applies a category rate set for later exactly from then', async () => {
    const shop = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(shop.token);
    const lines = [{ sku: 'APPLE', category: 'produce', quantity: 1, amount: { amount: '100.00', currency: 'NOK' } }];
    const from = new Date(Date.now() + 2_500);
    await adminDoes(RATE, { input: { category: 'produce', extraPercent: '50', validFrom: from.toISOString() } }, shop.token);
    const before = await earn(shop.token, member.id, lines);
    expect(before.data?.earnPoints.awards.map((a) => a.kind)).toEqual(['BASE']);
    await sleep(from.getTime() - Date.now() + 300);
    const after = await earn(shop.token, member.id, lines);
    expect(after.data?.earnPoints.awards).toEqual([
      { kind: 'BASE', points: 100 },
      { kind: 'CATEGORY', points: 50 },
    ]);
  });

  it('refuses the earn once a suspension is heard, and accepts it once the reactivation is', async () => {
    const shop = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(shop.token);
    expect(await points(shop.token, member.id)).toBe(100);
    for (let round = 0; round < 3; round++) {
      await adminDoes('mutation($id: ID!) { suspendPartner(input: { partnerId: $id }) { partner { status } } }', { id: shop.id });
      await partnerChangeHeard();
      expect((await earn(shop.token, member.id)).errors?.[0]?.extensions?.code).toBe('PARTNER_SUSPENDED');
      await adminDoes('mutation($id: ID!) { reactivatePartner(input: { partnerId: $id }) { partner { status } } }', { id: shop.id });
      await partnerChangeHeard();
      expect(await points(shop.token, member.id)).toBe(100);
    }
  });
});
