import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

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

async function setCategoryRate(token: string, category: string, extraPercent: string, validFrom?: string) {
  return hub.query<{ setCategoryRate: { rate: { id: string; category: string; extraPercent: string } } }>(
    'mutation($input: SetCategoryRateInput!) { setCategoryRate(input: $input) { rate { id category extraPercent } } }',
    { input: { category, extraPercent, ...(validFrom ? { validFrom } : {}) } },
    token,
  );
}

describe('category rates', () => {
  it('adds the extra on lines of the category, paid by the partner; a new version ends it; a future one waits', async () => {
    const grocer = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(grocer.token);
    const set = await setCategoryRate(grocer.token, 'Produce', '15');
    expect(set.data?.setCategoryRate.rate).toMatchObject({ category: 'produce', extraPercent: '15.00' });
    const rateId = set.data!.setCategoryRate.rate.id;
    expect((await setCategoryRate(grocer.token, 'dairy', '50', new Date(Date.now() + 86_400_000).toISOString())).errors).toBeUndefined();
    const basket = [line('APPLE', 'PRODUCE', 4, '133.00'), line('PEAR', 'produce', 1, '67.00'), line('MILK', 'dairy', 1, '100.00')];
    const r = await earn(grocer.token, { memberId: member.id, amount: '300.00', lines: basket });
    expect(r.errors).toBeUndefined();
    // 300 base; 15 % of the 200.00 of produce = 30; dairy's rate starts tomorrow.
    expect(r.data!.earnPoints.transaction.points).toBe(330);
    expect(r.data!.earnPoints.awards).toEqual([
      { kind: 'BASE', points: 300, fundedBy: { id: grocer.id }, ruleId: null },
      { kind: 'CATEGORY', points: 30, fundedBy: { id: grocer.id }, ruleId: rateId },
    ]);
    const seen = await hub.must<{ viewerPartner: { categoryRates: { category: string; extraPercent: string }[] } }>('{ viewerPartner { categoryRates { category extraPercent } } }', {}, grocer.token);
    expect(seen.viewerPartner.categoryRates).toEqual([{ category: 'produce', extraPercent: '15.00' }]);
    // Another partner cannot see them; a rate of 0 ends the extra.
    const other = await hub.seed.partner({ currency: 'NOK' });
    const foreign = await hub.must<{ partner: { categoryRates: unknown } }>('query($id: ID!) { partner(id: $id) { categoryRates } }'.replace('categoryRates }', 'categoryRates { category } }'), { id: grocer.id }, other.token);
    expect(foreign.partner.categoryRates).toBeNull();
    expect((await setCategoryRate(grocer.token, 'produce', '0')).errors).toBeUndefined();
    const after = await earn(grocer.token, { memberId: member.id, amount: '300.00', lines: basket });
    expect(after.data!.earnPoints.transaction.points).toBe(300);
    expect((await setCategoryRate(grocer.token, 'produce', '1000.5')).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'extraPercent' });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});

async function createOffer(token: string, input: Record<string, unknown>): Promise<string> {
  const r = await hub.must<{ createOffer: { offer: { id: string } } }>(
    'mutation($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }',
    { input: { title: `Offer ${randomUUID().slice(0, 8)}`, ...input } },
    token,
  );
  return r.createOffer.offer.id;
}

async function activateOffer(memberToken: string, offerId: string) {
  return hub.query<{ activateOffer: { activation: { offerId: string; usesLeft: number; kind: string } } }>(
    'mutation($input: ActivateOfferInput!) { activateOffer(input: $input) { activation { offerId usesLeft kind } } }',
    { input: { offerId } },
    memberToken,
  );
}

describe('offers', () => {
  it('a double-points offer applies once at the next earn at its partner, paid by it; a refund gives the use back', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const other = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const offerId = await createOffer(cafe.token, { kind: 'MULTIPLIER', multiplier: '2' });
    const activated = await activateOffer(member.token, offerId);
    expect(activated.data?.activateOffer.activation).toEqual({ offerId, usesLeft: 1, kind: 'MULTIPLIER' });
    // Activating again answers the same activation.
    expect((await activateOffer(member.token, offerId)).data?.activateOffer.activation.usesLeft).toBe(1);

    // Not at another partner.
    expect((await earn(other.token, { memberId: member.id, amount: '100.00' })).data!.earnPoints.transaction.points).toBe(100);
    const first = await earn(cafe.token, { memberId: member.id, amount: '100.00' });
    expect(first.data!.earnPoints.awards).toEqual([
      { kind: 'BASE', points: 100, fundedBy: { id: cafe.id }, ruleId: null },
      { kind: 'OFFER', points: 100, fundedBy: { id: cafe.id }, ruleId: offerId },
    ]);
    expect(first.data!.earnPoints.transaction.points).toBe(200);
    expect((await earn(cafe.token, { memberId: member.id, amount: '100.00' })).data!.earnPoints.transaction.points).toBe(100);
    // Refunding the purchase that used the offer gives the use back: the next earn applies it again.
    expect((await reverse(cafe.token, first.data!.earnPoints.transaction.id)).errors).toBeUndefined();
    expect((await earn(cafe.token, { memberId: member.id, amount: '50.00' })).data!.earnPoints.transaction.points).toBe(100);
    expect((await earn(cafe.token, { memberId: member.id, amount: '50.00' })).data!.earnPoints.transaction.points).toBe(50);
    expect(await balance(member.token)).toBe(100 + 100 + 100 + 50);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('a bonus offer applies as often as the offer says', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const offerId = await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 25, usesPerMember: 2 });
    const dbg = await activateOffer(member.token, offerId);
    expect(dbg.data?.activateOffer.activation.usesLeft).toBe(2);
    const points = [];
    for (let i = 0; i < 3; i++) points.push((await earn(cafe.token, { memberId: member.id, amount: '10.00' })).data!.earnPoints.transaction.points);
    expect(points).toEqual([35, 35, 10]);
    const seen = await hub.must<{ me: { offerActivations: { offerId: string; usesLeft: number }[] } }>('{ me { offerActivations { offerId usesLeft } } }', {}, member.token);
    expect(seen.me.offerActivations).toEqual([{ offerId, usesLeft: 0 }]);
  });

  it('OFFER_NOT_AVAILABLE: above the member tier, retired, a POINTS_PRICE offer, unknown; only members activate', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const code = async (offerId: string, token = member.token) => (await activateOffer(token, offerId)).errors?.[0]?.extensions?.code;
    const silver = await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 10, minTier: 'Silver' });
    expect(await code(silver)).toBe('OFFER_NOT_AVAILABLE');
    const retired = await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 10 });
    await hub.must('mutation($input: RetireOfferInput!) { retireOffer(input: $input) { offer { id } } }', { input: { offerId: retired } }, cafe.token);
    expect(await code(retired)).toBe('OFFER_NOT_AVAILABLE');
    expect(await code(await createOffer(cafe.token, { kind: 'POINTS_PRICE', points: 10 }))).toBe('OFFER_NOT_AVAILABLE');
    expect(await code(randomUUID())).toBe('OFFER_NOT_AVAILABLE');
    expect(await code(await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 10 }), cafe.token)).toBe('FORBIDDEN');
    // Once Silver (5000 qualifying points), the member may.
    await hub.seed.earn(cafe.token, member.id, '5000.00', 'NOK');
    expect(await code(silver)).toBeUndefined();
  });
});

async function createStampCard(token: string, input: Record<string, unknown>): Promise<string> {
  const r = await hub.must<{ createStampCard: { card: { id: string } } }>(
    'mutation($input: CreateStampCardInput!) { createStampCard(input: $input) { card { id } } }',
    { input: { name: `Card ${randomUUID().slice(0, 8)}`, ...input } },
    token,
  );
  return r.createStampCard.card.id;
}

async function cardProgress(memberToken: string, cardId: string) {
  const r = await hub.must<{ me: { stampCards: { card: { id: string }; stamps: number; filled: number; stampsToReward: number }[] } }>(
    '{ me { stampCards { card { id } stamps filled stampsToReward } } }',
    {},
    memberToken,
  );
  const c = r.me.stampCards.find((s) => s.card.id === cardId);
  return c && { stamps: c.stamps, filled: c.filled, stampsToReward: c.stampsToReward };
}

describe('stamp cards', () => {
  it("a café's 5-coffee card: stamps per coffee from the basket, the fifth fills it, rewards once (paid by the café) and restarts", async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const shop = await store(cafe.token);
    const member = await hub.seed.member(cafe.token);
    const cardId = await createStampCard(cafe.token, { stampsRequired: 5, category: 'Coffee', perQuantity: true, rewardPoints: 50 });
    expect(await cardProgress(member.token, cardId)).toEqual({ stamps: 0, filled: 0, stampsToReward: 5 });
    const buy = (coffees: number, tea = 0) =>
      earn(cafe.token, {
        memberId: member.id,
        amount: `${30 * coffees + 20 * tea}.00`,
        storeId: shop,
        lines: [line('LATTE', 'coffee', coffees, `${30 * coffees}.00`), ...(tea ? [line('TEA', 'tea', tea, `${20 * tea}.00`)] : [])],
      });
    expect((await buy(2, 1)).data!.earnPoints.awards.map((a) => a.kind)).toEqual(['BASE']);
    expect(await cardProgress(member.token, cardId)).toEqual({ stamps: 2, filled: 0, stampsToReward: 3 });
    await buy(2);
    const fifth = await buy(2);
    expect(fifth.data!.earnPoints.awards).toEqual([
      { kind: 'BASE', points: 60, fundedBy: { id: cafe.id }, ruleId: null },
      { kind: 'STAMP_CARD', points: 50, fundedBy: { id: cafe.id }, ruleId: cardId },
    ]);
    // Six coffees: one card filled and rewarded, a new card holding the sixth.
    expect(await cardProgress(member.token, cardId)).toEqual({ stamps: 1, filled: 1, stampsToReward: 4 });
    expect(await balance(member.token)).toBe(80 + 60 + 60 + 50);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('a refund takes its stamp back, and claws back a reward another purchase gave for a card no longer full', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const cardId = await createStampCard(cafe.token, { stampsRequired: 3, minAmount: { amount: '10.00', currency: 'NOK' }, rewardPoints: 100 });
    const buy = async (amount: string) => (await earn(cafe.token, { memberId: member.id, amount })).data!.earnPoints;
    const a = await buy('30.00');
    expect((await buy('5.00')).awards.map((x) => x.kind)).toEqual(['BASE']); // under the minimum: no stamp
    await buy('30.00');
    const c = await buy('30.00');
    expect(c.transaction.points).toBe(130);
    expect(await cardProgress(member.token, cardId)).toEqual({ stamps: 0, filled: 1, stampsToReward: 3 });
    expect(await balance(member.token)).toBe(30 + 5 + 30 + 130);

    // Refunding the first purchase: its 30 points and its stamp go; the card is no longer full, so C's reward is clawed back.
    expect((await reverse(cafe.token, a.transaction.id)).errors).toBeUndefined();
    expect(await cardProgress(member.token, cardId)).toEqual({ stamps: 2, filled: 0, stampsToReward: 1 });
    expect(await balance(member.token)).toBe(5 + 30 + 30);
    const { rows } = await hub.db.query<{ points: string }>(`SELECT points::text FROM points.transactions WHERE member_id = $1 AND kind = 'CLAWBACK'`, [member.id]);
    expect(rows.map((r) => r.points)).toEqual(['-100']);
    // The next stamp fills the card again and rewards it again.
    expect((await buy('10.00')).transaction.points).toBe(110);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('refunding the purchase that filled the card returns its reward with its points; no clawback', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const cardId = await createStampCard(cafe.token, { stampsRequired: 2, rewardPoints: 40 });
    await earn(cafe.token, { memberId: member.id, amount: '10.00' });
    const filling = (await earn(cafe.token, { memberId: member.id, amount: '10.00' })).data!.earnPoints;
    expect(filling.transaction.points).toBe(50);
    expect((await reverse(cafe.token, filling.transaction.id)).errors).toBeUndefined();
    expect(await cardProgress(member.token, cardId)).toEqual({ stamps: 1, filled: 0, stampsToReward: 1 });
    expect(await balance(member.token)).toBe(10);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});

type RewardActivation = { offerId: string; usesLeft: number; stampCardId: string | null; voidedAt: string | null };

async function offerCard(memberToken: string, cardId: string) {
  const r = await hub.must<{
    me: { stampCards: { card: { id: string; rewardPoints: number; rewardOfferId: string | null }; stamps: number; filled: number; rewardActivations: RewardActivation[] }[] };
  }>('{ me { stampCards { card { id rewardPoints rewardOfferId } stamps filled rewardActivations { offerId usesLeft stampCardId voidedAt } } } }', {}, memberToken);
  return r.me.stampCards.find((s) => s.card.id === cardId);
}

async function clawbacks(memberId: string): Promise<string[]> {
  const { rows } = await hub.db.query<{ points: string }>(`SELECT points::text FROM points.transactions WHERE member_id = $1 AND kind = 'CLAWBACK' ORDER BY created_at`, [memberId]);
  return rows.map((r) => r.points);
}

describe('stamp cards rewarding an offer', () => {
  it("a full card activates the café's offer once per card, applied at the next earn like the member's own activation; shown in Member.stampCards", async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const offerId = await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 30 });
    const cardId = await createStampCard(cafe.token, { stampsRequired: 2, rewardOfferId: offerId });
    const buy = async () => (await earn(cafe.token, { memberId: member.id, amount: '10.00' })).data!.earnPoints;
    await buy();
    const filling = await buy();
    // No points for the full card: its reward is the offer, usable from the next earn.
    expect(filling.awards.map((a) => a.kind)).toEqual(['BASE']);
    const shown = await offerCard(member.token, cardId);
    expect(shown?.card).toEqual({ id: cardId, rewardPoints: 0, rewardOfferId: offerId });
    expect(shown?.filled).toBe(1);
    expect(shown?.rewardActivations).toEqual([{ offerId, usesLeft: 1, stampCardId: cardId, voidedAt: null }]);
    const next = await buy();
    expect(next.awards).toEqual([
      { kind: 'BASE', points: 10, fundedBy: { id: cafe.id }, ruleId: null },
      { kind: 'OFFER', points: 30, fundedBy: { id: cafe.id }, ruleId: offerId },
    ]);
    // That earn was the new card's first stamp; the next fills it: a second activation, once per card.
    await buy();
    expect((await offerCard(member.token, cardId))?.rewardActivations.map((a) => a.usesLeft)).toEqual([1, 0]);
    // The member's own activation of the same offer stands beside the card's: both apply.
    expect((await activateOffer(member.token, offerId)).errors).toBeUndefined();
    expect((await buy()).awards.map((a) => `${a.kind}:${a.points}`)).toEqual(['BASE:10', 'OFFER:30', 'OFFER:30']);
    expect(await balance(member.token)).toBe(10 + 10 + 40 + 10 + 70);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('refunding the purchase that completed the card takes its stamp back and voids the unused activation', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const offerId = await createOffer(cafe.token, { kind: 'MULTIPLIER', multiplier: '3' });
    const cardId = await createStampCard(cafe.token, { stampsRequired: 2, rewardOfferId: offerId });
    const buy = async () => (await earn(cafe.token, { memberId: member.id, amount: '10.00' })).data!.earnPoints;
    await buy();
    const filling = await buy();
    expect((await reverse(cafe.token, filling.transaction.id)).errors).toBeUndefined();
    const after = await offerCard(member.token, cardId);
    expect(after).toMatchObject({ stamps: 1, filled: 0 });
    expect(after?.rewardActivations).toEqual([{ offerId, usesLeft: 1, stampCardId: cardId, voidedAt: expect.any(String) }]);
    // Voided: the next earn gets no offer, and (the card's second stamp again) earns a new activation.
    const next = await buy();
    expect(next.awards.map((a) => a.kind)).toEqual(['BASE']);
    expect((await offerCard(member.token, cardId))?.rewardActivations.map((a) => a.voidedAt === null)).toEqual([true, false]);
    expect((await buy()).awards.map((a) => `${a.kind}:${a.points}`)).toEqual(['BASE:10', 'OFFER:20']);
    expect(await clawbacks(member.id)).toEqual([]);
    expect(await balance(member.token)).toBe(10 + 10 + 30);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('an activation already used when the purchase that earned it is refunded is voided and what it gave is clawed back; the refunds give back exactly their own uses', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const offerId = await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 30 });
    const cardId = await createStampCard(cafe.token, { stampsRequired: 2, rewardOfferId: offerId });
    // The member's own activation, used at the first purchase.
    expect((await activateOffer(member.token, offerId)).errors).toBeUndefined();
    const buy = async () => (await earn(cafe.token, { memberId: member.id, amount: '10.00' })).data!.earnPoints;
    const a = await buy(); // own activation used: 40
    const b = await buy(); // fills the card: the card's activation
    const c = await buy(); // uses the card's activation: 40
    expect([a.transaction.points, b.transaction.points, c.transaction.points]).toEqual([40, 10, 40]);
    expect(await balance(member.token)).toBe(90);

    expect((await reverse(cafe.token, b.transaction.id)).errors).toBeUndefined();
    // b's 10 points go back, and the 30 its card's activation gave at c are clawed back.
    expect(await clawbacks(member.id)).toEqual(['-30']);
    expect(await balance(member.token)).toBe(50);
    const activations = async () =>
      (await hub.must<{ me: { offerActivations: RewardActivation[] } }>('{ me { offerActivations { offerId usesLeft stampCardId voidedAt } } }', {}, member.token)).me.offerActivations;
    expect((await activations()).map((x) => [x.stampCardId, x.usesLeft, x.voidedAt === null])).toEqual([
      [cardId, 0, false],
      [null, 0, true],
    ]);
    // Refunding a gives back the use of the member's own activation only, not of the card's.
    expect((await reverse(cafe.token, a.transaction.id)).errors).toBeUndefined();
    expect((await activations()).map((x) => [x.stampCardId, x.usesLeft, x.voidedAt === null])).toEqual([
      [cardId, 0, false],
      [null, 1, true],
    ]);
    expect(await balance(member.token)).toBe(10);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it("refuses a reward offer that is not the card's partner's own published earn offer lasting as long as the card", async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const other = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const refusal = async (input: Record<string, unknown>) =>
      (await hub.query('mutation($input: CreateStampCardInput!) { createStampCard(input: $input) { card { id } } }', { input: { name: 'Card', stampsRequired: 3, ...input } }, cafe.token))
        .errors?.[0]?.extensions;
    const ends = new Date(Date.now() + 86_400_000).toISOString();
    expect(await refusal({ rewardOfferId: await createOffer(other.token, { kind: 'BONUS_POINTS', points: 5 }) })).toMatchObject({ code: 'OFFER_NOT_AVAILABLE' });
    expect(await refusal({ rewardOfferId: await createOffer(cafe.token, { kind: 'POINTS_PRICE', points: 5 }) })).toMatchObject({ code: 'OFFER_NOT_AVAILABLE' });
    expect(await refusal({ rewardOfferId: await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 5, validTo: ends }) })).toMatchObject({ code: 'OFFER_NOT_AVAILABLE' });
    expect(await refusal({ rewardOfferId: randomUUID() })).toMatchObject({ code: 'OFFER_NOT_AVAILABLE' });
    const own = await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 5 });
    expect(await refusal({ rewardOfferId: own, rewardPoints: 10 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rewardPoints' });
    expect(await refusal({})).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rewardPoints' });
    const { rows } = await hub.db.query(`SELECT 1 FROM points.stamp_cards WHERE partner_id = $1`, [cafe.id]);
    expect(rows).toEqual([]);
  });
});

describe('createStampCard with an idempotency key', () => {
  it('a retry answers the card first made, even once its reward offer is retired; another input with the key is IDEMPOTENCY_KEY_REUSED; no key still creates', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const offerId = await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 5 });
    const create = (input: Record<string, unknown>) =>
      hub.query<{ createStampCard: { card: { id: string; rewardOfferId: string | null } } }>(
        'mutation($input: CreateStampCardInput!) { createStampCard(input: $input) { card { id rewardOfferId } } }',
        { input: { name: 'Coffee', stampsRequired: 5, ...input } },
        cafe.token,
      );
    const key = randomUUID();
    const first = await create({ rewardOfferId: offerId, idempotencyKey: key });
    expect(first.errors).toBeUndefined();
    const again = await create({ rewardOfferId: offerId, idempotencyKey: key });
    expect(again.data?.createStampCard.card).toEqual(first.data?.createStampCard.card);
    await hub.must('mutation($input: RetireOfferInput!) { retireOffer(input: $input) { offer { id } } }', { input: { offerId } }, cafe.token);
    expect((await create({ rewardOfferId: offerId, idempotencyKey: key })).data?.createStampCard.card).toEqual(first.data?.createStampCard.card);
    expect((await create({ rewardOfferId: offerId })).errors?.[0]?.extensions?.code).toBe('OFFER_NOT_AVAILABLE');
    expect((await create({ rewardPoints: 10, idempotencyKey: key })).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await create({ rewardPoints: 10, idempotencyKey: 'has space' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    // Keys are the caller's: another partner's same key makes its own card.
    const other = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const theirs = await hub.query<{ createStampCard: { card: { id: string } } }>(
      'mutation($input: CreateStampCardInput!) { createStampCard(input: $input) { card { id } } }',
      { input: { name: 'Coffee', stampsRequired: 5, rewardPoints: 10, idempotencyKey: key } },
      other.token,
    );
    expect(theirs.data?.createStampCard.card.id).not.toBe(first.data?.createStampCard.card.id);
    // Without a key (clients written before it existed) each call still makes a card.
    expect((await create({ rewardPoints: 10 })).errors).toBeUndefined();
    expect((await create({ rewardPoints: 10 })).errors).toBeUndefined();
    const { rows } = await hub.db.query(`SELECT 1 FROM points.stamp_cards WHERE partner_id = $1`, [cafe.id]);
    expect(rows).toHaveLength(3);
  });
});

describe('POINTS_PRICE offers', () => {
  const REDEEM = 'mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { transaction { id points kind redeemedOfferId } } }';
  type Redeemed = { redeemPoints: { transaction: { id: string; points: number; kind: string; redeemedOfferId: string | null } } };

  it('redeemed at the till with the member\'s code: a redemption of the offer\'s price, drawn from lots, honoured by the partner, idempotent', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const ledger = ledgerClient(hub);
    const offerId = await createOffer(cafe.token, { kind: 'POINTS_PRICE', points: 200 });
    await earn(cafe.token, { memberId: member.id, amount: '300.00' });
    const redeem = async (points: number, key = randomUUID(), code?: string) =>
      hub.query<Redeemed>(
        REDEEM,
        { input: { memberId: member.id, points, redemptionCode: code ?? (await ledger.code(member.token)), reference: `OFFER-${key}`, idempotencyKey: key, offerId } },
        cafe.token,
      );
    const key = randomUUID();
    const code = await ledger.code(member.token);
    const first = await redeem(200, key, code);
    expect(first.errors).toBeUndefined();
    expect(first.data!.redeemPoints.transaction).toMatchObject({ points: -200, kind: 'REDEEM', redeemedOfferId: offerId });
    expect(await balance(member.token)).toBe(100);
    // A retry (same input, its code already used) answers the same redemption and draws nothing more.
    const again = await redeem(200, key, code);
    expect(again.data?.redeemPoints.transaction.id).toBe(first.data!.redeemPoints.transaction.id);
    expect(await balance(member.token)).toBe(100);
    // Short of the price: INSUFFICIENT_POINTS, nothing written; another price: BAD_USER_INPUT on points.
    expect((await redeem(200)).errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_POINTS');
    expect((await redeem(100)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'points' });
    expect(await balance(member.token)).toBe(100);
    const { rows } = await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM points.offer_redemptions WHERE member_id = $1', [member.id]);
    expect(rows[0].n).toBe(1);
    // The lots drawn are the earn's, and the partner honoured the points (its statement, at its reimbursement).
    const { rows: drawn } = await hub.db.query<{ points: string }>(`SELECT sum(m.points)::text AS points FROM points.lot_movements m WHERE m.transaction_id = $1`, [
      first.data!.redeemPoints.transaction.id,
    ]);
    expect(drawn[0].points).toBe('-200');
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
    const statement = await hub.must<{ settlementStatement: { pointsIssued: string; pointsHonoured: string } }>(
      'query($p: ID!, $f: String!, $t: String!) { settlementStatement(partnerId: $p, from: $f, to: $t) { pointsIssued pointsHonoured } }',
      { p: cafe.id, f: from, t: to },
      await hub.admin(),
    );
    expect(statement.settlementStatement).toEqual({ pointsIssued: '300', pointsHonoured: '200' });
    // Refunded (a return): the points come back as for any redemption.
    expect((await reverse(cafe.token, first.data!.redeemPoints.transaction.id)).errors).toBeUndefined();
    expect(await balance(member.token)).toBe(300);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('OFFER_NOT_AVAILABLE: below its minTier, another partner\'s, not a POINTS_PRICE offer, retired, unknown; nothing spent, the code still good', async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const other = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(cafe.token);
    const ledger = ledgerClient(hub);
    await earn(cafe.token, { memberId: member.id, amount: '1000.00' });
    const code = await ledger.code(member.token);
    const attempt = (offerId: string, points = 50) =>
      hub.query<Redeemed>(REDEEM, { input: { memberId: member.id, points, redemptionCode: code, reference: 'R', idempotencyKey: randomUUID(), offerId } }, cafe.token);
    const refusal = async (offerId: string, points = 50) => (await attempt(offerId, points)).errors?.[0]?.extensions?.code;
    const silver = await createOffer(cafe.token, { kind: 'POINTS_PRICE', points: 50, minTier: 'Silver' });
    expect(await refusal(silver)).toBe('OFFER_NOT_AVAILABLE');
    expect(await refusal(await createOffer(other.token, { kind: 'POINTS_PRICE', points: 50 }))).toBe('OFFER_NOT_AVAILABLE');
    expect(await refusal(await createOffer(cafe.token, { kind: 'BONUS_POINTS', points: 50 }))).toBe('OFFER_NOT_AVAILABLE');
    const retired = await createOffer(cafe.token, { kind: 'POINTS_PRICE', points: 50 });
    await hub.must('mutation($input: RetireOfferInput!) { retireOffer(input: $input) { offer { id } } }', { input: { offerId: retired } }, cafe.token);
    expect(await refusal(retired)).toBe('OFFER_NOT_AVAILABLE');
    expect(await refusal(randomUUID())).toBe('OFFER_NOT_AVAILABLE');
    expect(await balance(member.token)).toBe(1000);
    // Silver from 5000 qualifying points: then the same offer, with the same code (never used), is redeemed.
    await hub.seed.earn(cafe.token, member.id, '5000.00', 'NOK');
    const ok = await attempt(silver);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.redeemPoints.transaction).toMatchObject({ points: -50, redeemedOfferId: silver });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});
