import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../../../../test/support/hub';

let hub: TestHub;
let admin: string;

type Errors = { errors?: { extensions?: Record<string, unknown> }[] };

beforeAll(async () => {
  // Members too: a member token's identity is checked against the members subgraph (lib/src/member-link.ts).
  hub = await startHub({ gateway: false, subgraphs: ['members', 'partners'] });
  admin = await hub.admin();
});
afterAll(async () => hub?.stop());

const q = <T>(query: string, variables: Record<string, unknown>, token: string) => hub.query<T>(query, variables, token, 'partners');

async function partner(currency = 'NOK'): Promise<{ id: string; token: string }> {
  const created = await q<{ createPartner: { partner: { id: string } } }>(
    'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
    { input: { name: `Partner ${randomUUID()}`, currency, earnRate: '1' } },
    admin,
  );
  const id = created.data!.createPartner.partner.id;
  return { id, token: await hub.partnerToken(id) };
}

function expectError(result: Errors, code: string, field?: string): void {
  expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result.errors)).toBe(code);
  if (field) expect(result.errors?.[0]?.extensions?.field).toBe(field);
}

const UPDATE_TERMS = `mutation($input: UpdatePartnerTermsInput!) { updatePartnerTerms(input: $input) {
  partner { id terms { earnRate } } terms { earnRate issuePrice { amount currency } reimbursement { amount } validFrom validUntil } } }`;
type Terms = { earnRate: string; issuePrice: { amount: string; currency: string }; reimbursement: { amount: string }; validFrom: string; validUntil: string | null };

describe('contract terms', () => {
  it('appends a version per change, copies omitted terms, and keeps every version queryable by time', async () => {
    const p = await partner();
    const before = new Date().toISOString();
    const now = await q<{ updatePartnerTerms: { terms: Terms; partner: { terms: { earnRate: string } } } }>(
      UPDATE_TERMS,
      { input: { partnerId: p.id, earnRate: '2.5', idempotencyKey: randomUUID() } },
      admin,
    );
    expect(now.errors).toBeUndefined();
    expect(now.data!.updatePartnerTerms.terms).toMatchObject({ earnRate: '2.5', issuePrice: { amount: '0.01', currency: 'NOK' }, validUntil: null });
    expect(now.data!.updatePartnerTerms.partner.terms.earnRate).toBe('2.5');

    const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
    const scheduled = await q<{ updatePartnerTerms: { terms: Terms } }>(
      UPDATE_TERMS,
      { input: { partnerId: p.id, reimbursement: { amount: '0.02', currency: 'NOK' }, validFrom: scheduledAt, idempotencyKey: randomUUID() } },
      admin,
    );
    expect(scheduled.data!.updatePartnerTerms.terms).toMatchObject({ earnRate: '2.5', reimbursement: { amount: '0.02' }, validFrom: scheduledAt });

    // Three versions, never updated in place; the one in force at each time answers.
    expect(await count(hub.db, 'partners.partner_terms', 'partner_id = $1', [p.id])).toBe(3);
    const read = await q<{ partner: { terms: { earnRate: string; validUntil: string }; past: { earnRate: string }; future: { reimbursement: { amount: string } }; termsHistory: Terms[] } }>(
      `query($id: ID!, $past: String!, $future: String!) { partner(id: $id) {
        terms { earnRate validUntil } past: termsAt(at: $past) { earnRate } future: termsAt(at: $future) { reimbursement { amount } }
        termsHistory { earnRate validFrom validUntil } } }`,
      { id: p.id, past: before, future: new Date(Date.now() + 2 * 86_400_000).toISOString() },
      p.token,
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.partner.terms).toEqual({ earnRate: '2.5', validUntil: scheduledAt });
    expect(read.data!.partner.past.earnRate).toBe('1');
    expect(read.data!.partner.future.reimbursement.amount).toBe('0.02');
    const history = read.data!.partner.termsHistory;
    expect(history.map((v) => v.earnRate)).toEqual(['1', '2.5', '2.5']);
    expect(history[0].validUntil).toBe(history[1].validFrom);
    expect(history[2].validUntil).toBeNull();

    await expect(hub.db.query('UPDATE partners.partner_terms SET earn_rate = 9 WHERE partner_id = $1', [p.id])).rejects.toThrow(/append-only/);
    await expect(hub.db.query('DELETE FROM partners.partner_terms WHERE partner_id = $1', [p.id])).rejects.toThrow(/append-only/);
  });

  it('validates the change, naming the field, and lets only the admin change terms', async () => {
    const p = await partner('SEK');
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'earnRate'],
      [{ earnRate: '0' }, 'earnRate'],
      [{ earnRate: '1.1234567' }, 'earnRate'],
      [{ issuePrice: { amount: '0.01', currency: 'NOK' } }, 'issuePrice.currency'],
      [{ reimbursement: { amount: '-1', currency: 'SEK' } }, 'reimbursement.amount'],
      [{ earnRate: '2', validFrom: '2020-01-01T00:00:00Z' }, 'validFrom'],
      [{ earnRate: '2', validFrom: 'tomorrow' }, 'validFrom'],
      [{ earnRate: '2', partnerId: 'nope' }, 'partnerId'],
    ];
    for (const [change, field] of cases) {
      const result = await q(UPDATE_TERMS, { input: { partnerId: p.id, idempotencyKey: randomUUID(), ...change } }, admin);
      expectError(result, 'BAD_USER_INPUT', field);
    }
    expectError(await q(UPDATE_TERMS, { input: { partnerId: randomUUID(), earnRate: '2', idempotencyKey: randomUUID() } }, admin), 'NOT_FOUND');
    expectError(await q(UPDATE_TERMS, { input: { partnerId: p.id, earnRate: '9', idempotencyKey: randomUUID() } }, p.token), 'FORBIDDEN');
    expect(await count(hub.db, 'partners.partner_terms', 'partner_id = $1', [p.id])).toBe(1);

    const key = randomUUID();
    const once = await q<{ updatePartnerTerms: { terms: Terms } }>(UPDATE_TERMS, { input: { partnerId: p.id, earnRate: '3', idempotencyKey: key } }, admin);
    const again = await q<{ updatePartnerTerms: { terms: Terms } }>(UPDATE_TERMS, { input: { partnerId: p.id, earnRate: '3', idempotencyKey: key } }, admin);
    expect(again.data!.updatePartnerTerms.terms.validFrom).toBe(once.data!.updatePartnerTerms.terms.validFrom);
    expectError(await q(UPDATE_TERMS, { input: { partnerId: p.id, earnRate: '4', idempotencyKey: key } }, admin), 'IDEMPOTENCY_KEY_REUSED');
    expect(await count(hub.db, 'partners.partner_terms', 'partner_id = $1', [p.id])).toBe(2);
  });
});

const CREATE_STORE = 'mutation($input: CreateStoreInput!) { createStore(input: $input) { store { id code name address city country active } } }';
const UPDATE_STORE = 'mutation($input: UpdateStoreInput!) { updateStore(input: $input) { store { id code name address city country active } } }';
type Store = { id: string; code: string; name: string; address: string | null; city: string | null; country: string; active: boolean };

describe('stores', () => {
  it('are created and changed by the partner itself or the admin, with each bad field named', async () => {
    const p = await partner();
    const created = await q<{ createStore: { store: Store } }>(
      CREATE_STORE,
      { input: { code: 'OSL-001', name: 'Oslo Central', address: 'Jernbanetorget 1', city: 'Oslo', country: 'no' } },
      p.token,
    );
    expect(created.errors).toBeUndefined();
    const store = created.data!.createStore.store;
    expect(store).toMatchObject({ code: 'OSL-001', country: 'NO', active: true });

    const byAdmin = await q<{ createStore: { store: Store } }>(CREATE_STORE, { input: { partnerId: p.id, code: 'BGO-001', name: 'Bergen', country: 'NO' } }, admin);
    expect(byAdmin.data!.createStore.store.city).toBeNull();

    const bad: [Record<string, unknown>, string][] = [
      [{ code: 'osl-001', name: 'Dupe', country: 'NO' }, 'code'],
      [{ code: 'has space', name: 'X', country: 'NO' }, 'code'],
      [{ code: 'X1', name: '  ', country: 'NO' }, 'name'],
      [{ code: 'X2', name: 'X', country: 'XX' }, 'country'],
      [{ code: 'X3', name: 'X', country: 'NO', city: 'a'.repeat(101) }, 'city'],
    ];
    for (const [input, field] of bad) expectError(await q(CREATE_STORE, { input }, p.token), 'BAD_USER_INPUT', field);
    expectError(await q(CREATE_STORE, { input: { code: 'A1', name: 'X', country: 'NO' } }, admin), 'BAD_USER_INPUT', 'partnerId');

    const closed = await q<{ updateStore: { store: Store } }>(UPDATE_STORE, { input: { storeId: store.id, name: 'Oslo S', address: '', active: false } }, p.token);
    expect(closed.data!.updateStore.store).toMatchObject({ name: 'Oslo S', address: null, city: 'Oslo', active: false });
    expectError(await q(UPDATE_STORE, { input: { storeId: store.id, code: 'bgo-001' } }, p.token), 'BAD_USER_INPUT', 'code');
    expectError(await q(UPDATE_STORE, { input: { storeId: store.id, name: null } }, p.token), 'BAD_USER_INPUT', 'name');

    const list = await q<{ partner: { open: { nodes: Store[] }; all: { nodes: Store[] } } }>(
      `query($id: ID!) { partner(id: $id) { open: stores { nodes { code } } all: stores(includeInactive: true) { nodes { code } } } }`,
      { id: p.id },
      p.token,
    );
    expect(list.data!.partner.open.nodes.map((s) => s.code)).toEqual(['BGO-001']);
    expect(list.data!.partner.all.nodes.map((s) => s.code).sort()).toEqual(['BGO-001', 'OSL-001']);
    expect(await count(hub.db, 'partners.stores', 'partner_id = $1', [p.id])).toBe(2);
  });

  it("are invisible to another partner: reads answer null and writes NOT_FOUND, exactly as for a missing id", async () => {
    const a = await partner();
    const b = await partner();
    const store = (await q<{ createStore: { store: Store } }>(CREATE_STORE, { input: { code: 'A-1', name: 'A store', country: 'SE' } }, a.token)).data!.createStore.store;

    const foreign = await q<{ store: Store | null }>(`{ store(id: "${store.id}") { id } }`, {}, b.token);
    const missing = await q<{ store: Store | null }>(`{ store(id: "${randomUUID()}") { id } }`, {}, b.token);
    expect(foreign).toEqual(missing);
    expect(foreign.data?.store).toBeNull();

    const change = await q(UPDATE_STORE, { input: { storeId: store.id, name: 'Hijacked' } }, b.token);
    const changeMissing = await q(UPDATE_STORE, { input: { storeId: randomUUID(), name: 'Hijacked' } }, b.token);
    expectError(change, 'NOT_FOUND');
    expect(change.errors?.[0]?.message).toBe(changeMissing.errors?.[0]?.message);
    expectError(await q(CREATE_STORE, { input: { partnerId: a.id, code: 'B-1', name: 'Planted', country: 'SE' } }, b.token), 'NOT_FOUND');

    const viaPartner = await q<{ partner: { stores: unknown; terms: unknown } }>(`{ partner(id: "${a.id}") { stores { nodes { id } } terms { earnRate } } }`, {}, b.token);
    expect(viaPartner.data!.partner).toEqual({ stores: null, terms: null });
    const entities = await q<{ _entities: { id: string; name: string; stores: unknown; terms: unknown; termsHistory: unknown }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Partner { id name stores { nodes { id } } terms { earnRate } termsHistory { earnRate } } } }',
      { r: [{ __typename: 'Partner', id: a.id }] },
      b.token,
    );
    expect(entities.data!._entities[0]).toMatchObject({ id: a.id, stores: null, terms: null, termsHistory: null });
    const own = await q<{ _entities: { stores: { nodes: { id: string }[] } }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Partner { stores { nodes { id } } } } }',
      { r: [{ __typename: 'Partner', id: a.id }] },
      a.token,
    );
    expect(own.data!._entities[0].stores.nodes).toEqual([{ id: store.id }]);

    // A token of the partner without points:earn cannot manage the catalogue.
    const lookupOnly = await hub.partnerToken(a.id, 'members:lookup');
    expectError(await q(UPDATE_STORE, { input: { storeId: store.id, name: 'X' } }, lookupOnly), 'FORBIDDEN');
    expect((await hub.db.query('SELECT name FROM partners.stores WHERE id = $1', [store.id])).rows[0].name).toBe('A store');
  });
});

const OFFER_FIELDS = 'id title description kind points multiplier validFrom validTo minTier active retiredAt partner { id }';
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { offer { ${OFFER_FIELDS} } } }`;
const UPDATE_OFFER = `mutation($input: UpdateOfferInput!) { updateOffer(input: $input) { offer { ${OFFER_FIELDS} } } }`;
const RETIRE_OFFER = `mutation($input: RetireOfferInput!) { retireOffer(input: $input) { offer { ${OFFER_FIELDS} } } }`;
type Offer = { id: string; title: string; kind: string; points: number | null; multiplier: string | null; validTo: string | null; minTier: string | null; active: boolean; partner: { id: string } };

describe('offers', () => {
  it('are created, changed and retired by their partner, validated field by field', async () => {
    const p = await partner();
    const price = await q<{ createOffer: { offer: Offer } }>(CREATE_OFFER, { input: { title: 'Free coffee', kind: 'POINTS_PRICE', points: 150, minTier: 'Silver' } }, p.token);
    expect(price.errors).toBeUndefined();
    expect(price.data!.createOffer.offer).toMatchObject({ kind: 'POINTS_PRICE', points: 150, multiplier: null, minTier: 'Silver', active: true, partner: { id: p.id } });
    const double = await q<{ createOffer: { offer: Offer } }>(
      CREATE_OFFER,
      { input: { title: 'Double points', kind: 'MULTIPLIER', multiplier: '2.000', validTo: new Date(Date.now() + 86_400_000).toISOString() } },
      p.token,
    );
    expect(double.data!.createOffer.offer).toMatchObject({ kind: 'MULTIPLIER', points: null, multiplier: '2' });

    const future = new Date(Date.now() + 86_400_000).toISOString();
    const bad: [Record<string, unknown>, string][] = [
      [{ title: '', kind: 'BONUS_POINTS', points: 10 }, 'title'],
      [{ title: 'X', kind: 'BONUS_POINTS' }, 'points'],
      [{ title: 'X', kind: 'BONUS_POINTS', points: 0 }, 'points'],
      [{ title: 'X', kind: 'POINTS_PRICE', points: 10, multiplier: '2' }, 'multiplier'],
      [{ title: 'X', kind: 'MULTIPLIER', multiplier: '1' }, 'multiplier'],
      [{ title: 'X', kind: 'MULTIPLIER', multiplier: '11' }, 'multiplier'],
      [{ title: 'X', kind: 'MULTIPLIER', points: 5, multiplier: '2' }, 'points'],
      [{ title: 'X', kind: 'BONUS_POINTS', points: 10, validFrom: 'soon' }, 'validFrom'],
      [{ title: 'X', kind: 'BONUS_POINTS', points: 10, validFrom: future, validTo: future }, 'validTo'],
      [{ title: 'X', kind: 'BONUS_POINTS', points: 10, validTo: '2021-01-01T00:00:00Z' }, 'validTo'],
      [{ title: 'X', kind: 'BONUS_POINTS', points: 10, minTier: 'x'.repeat(51) }, 'minTier'],
    ];
    for (const [input, field] of bad) expectError(await q(CREATE_OFFER, { input }, p.token), 'BAD_USER_INPUT', field);
    expect(await count(hub.db, 'partners.offers', 'partner_id = $1', [p.id])).toBe(2);

    const offer = price.data!.createOffer.offer;
    const changed = await q<{ updateOffer: { offer: Offer } }>(UPDATE_OFFER, { input: { offerId: offer.id, points: 120, minTier: null } }, p.token);
    expect(changed.data!.updateOffer.offer).toMatchObject({ points: 120, minTier: null, title: 'Free coffee' });
    expectError(await q(UPDATE_OFFER, { input: { offerId: offer.id, multiplier: '2' } }, p.token), 'BAD_USER_INPUT', 'multiplier');
    expectError(await q(UPDATE_OFFER, { input: { offerId: offer.id, validTo: '2021-01-01T00:00:00Z' } }, p.token), 'BAD_USER_INPUT', 'validTo');

    const retired = await q<{ retireOffer: { offer: Offer } }>(RETIRE_OFFER, { input: { offerId: offer.id } }, p.token);
    expect(retired.data!.retireOffer.offer.active).toBe(false);
    expect((await q<{ retireOffer: { offer: Offer } }>(RETIRE_OFFER, { input: { offerId: offer.id } }, p.token)).data!.retireOffer.offer.active).toBe(false);
    expectError(await q(UPDATE_OFFER, { input: { offerId: offer.id, title: 'Back' } }, p.token), 'BAD_USER_INPUT', 'offerId');
  });

  it('are listed to any authenticated caller while published; the rest only to their partner and the admin', async () => {
    const a = await partner();
    const b = await partner();
    const member = await hub.memberToken(randomUUID());
    const live = (await q<{ createOffer: { offer: Offer } }>(CREATE_OFFER, { input: { title: 'Live', kind: 'BONUS_POINTS', points: 50 } }, a.token)).data!.createOffer.offer;
    const upcoming = (
      await q<{ createOffer: { offer: Offer } }>(
        CREATE_OFFER,
        { input: { title: 'Upcoming', kind: 'BONUS_POINTS', points: 50, validFrom: new Date(Date.now() + 86_400_000).toISOString() } },
        a.token,
      )
    ).data!.createOffer.offer;
    const LIST = `query($p: ID, $all: Boolean) { offers(partnerId: $p, includeInactive: $all, first: 1000) { nodes { id } } }`;
    const ids = async (token: string, all = false) => (await q<{ offers: { nodes: { id: string }[] } }>(LIST, { p: a.id, all }, token)).data!.offers.nodes.map((o) => o.id);

    expect(await ids(member)).toEqual([live.id]);
    expect(await ids(b.token, true)).toEqual([live.id]);
    expect(await ids(a.token, true)).toEqual([live.id, upcoming.id]);
    expect(await ids(admin, true)).toEqual([live.id, upcoming.id]);
    expect((await q<{ offer: unknown }>(`{ offer(id: "${upcoming.id}") { id } }`, {}, b.token)).data!.offer).toBeNull();
    expect((await q<{ offer: { id: string } }>(`{ offer(id: "${live.id}") { id } }`, {}, member)).data!.offer.id).toBe(live.id);

    // Another partner cannot change or retire it: NOT_FOUND, as for a missing offer.
    expectError(await q(UPDATE_OFFER, { input: { offerId: live.id, title: 'Mine now' } }, b.token), 'NOT_FOUND');
    expectError(await q(RETIRE_OFFER, { input: { offerId: live.id } }, b.token), 'NOT_FOUND');
    expectError(await q(CREATE_OFFER, { input: { partnerId: a.id, title: 'Planted', kind: 'BONUS_POINTS', points: 1 } }, b.token), 'NOT_FOUND');
    expectError(await q(CREATE_OFFER, { input: { title: 'Member', kind: 'BONUS_POINTS', points: 1 } }, member), 'FORBIDDEN');
    expect(await count(hub.db, 'partners.offers', "partner_id = $1 AND title = 'Live' AND active", [a.id])).toBe(1);

    // A suspended partner's offers leave the public catalogue.
    await q(`mutation { suspendPartner(input: { partnerId: "${a.id}" }) { partner { id } } }`, {}, admin);
    expect(await ids(member)).toEqual([]);
    expect(await ids(a.token, true)).toEqual([live.id, upcoming.id]);
  });
});

const AUDIT = `query($first: Int, $after: String, $op: String) { partnersAuditLog(first: $first, after: $after, operation: $op) {
  nodes { id service operation targetId subject partnerId idempotencyKey outcome requestId occurredAt } endCursor } }`;
type AuditEntry = { id: string; service: string; operation: string; targetId: string | null; subject: string; partnerId: string | null; idempotencyKey: string | null; outcome: string };

describe('audit log', () => {
  it('records successes and refusals; the admin reads all, a partner only its own calls', async () => {
    const a = await partner();
    const b = await partner();
    const key = `store-${randomUUID()}`;
    const store = (await q<{ createStore: { store: Store } }>(CREATE_STORE, { input: { code: 'AUD-1', name: 'Audited', country: 'DK', idempotencyKey: key } }, a.token)).data!
      .createStore.store;
    expectError(await q(UPDATE_STORE, { input: { storeId: store.id, name: 'Nope' } }, b.token), 'NOT_FOUND');

    const all = (await q<{ partnersAuditLog: { nodes: AuditEntry[] } }>(AUDIT, { first: 100 }, admin)).data!.partnersAuditLog.nodes;
    const created = all.find((e) => e.operation === 'createStore' && e.targetId === store.id);
    expect(created).toMatchObject({ service: 'partners', outcome: 'OK', partnerId: a.id, subject: `client-${a.id}`, idempotencyKey: key });
    const refused = all.find((e) => e.operation === 'updateStore' && e.partnerId === b.id);
    expect(refused).toMatchObject({ outcome: 'NOT_FOUND', targetId: store.id });
    const onboarded = (await q<{ partnersAuditLog: { nodes: AuditEntry[] } }>(AUDIT, { first: 100, op: 'createPartner' }, admin)).data!.partnersAuditLog.nodes;
    expect(onboarded.some((e) => e.targetId === a.id && e.subject === 'operator')).toBe(true);

    const reportsA = await hub.partnerToken(a.id, 'reports:read');
    const own = (await q<{ partnersAuditLog: { nodes: AuditEntry[] } }>(AUDIT, { first: 100 }, reportsA)).data!.partnersAuditLog.nodes;
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((e) => e.partnerId === a.id)).toBe(true);
    expect(own.map((e) => e.operation)).toContain('createStore');
    const filtered = await q<{ partnersAuditLog: { nodes: AuditEntry[] } }>(
      'query($p: ID) { partnersAuditLog(partnerId: $p) { nodes { id } } }',
      { p: b.id },
      reportsA,
    );
    expect(filtered.data!.partnersAuditLog.nodes).toEqual([]);
    expectError(await q(AUDIT, {}, await hub.partnerToken(a.id, 'points:earn')), 'FORBIDDEN');
    expectError(await q(AUDIT, {}, await hub.memberToken(randomUUID())), 'FORBIDDEN');

    // Pages are clamped and chained newest first; the table itself refuses changes.
    const page = await q<{ partnersAuditLog: { nodes: AuditEntry[]; endCursor: string } }>(AUDIT, { first: 1_000_000 }, admin);
    expect(page.data!.partnersAuditLog.nodes.length).toBeLessThanOrEqual(100);
    const first = (await q<{ partnersAuditLog: { nodes: AuditEntry[]; endCursor: string } }>(AUDIT, { first: 2 }, admin)).data!.partnersAuditLog;
    const next = (await q<{ partnersAuditLog: { nodes: AuditEntry[] } }>(AUDIT, { first: 2, after: first.endCursor }, admin)).data!.partnersAuditLog;
    expect(BigInt(next.nodes[0].id)).toBeLessThan(BigInt(first.nodes[1].id));
    expectError(await q(AUDIT, { after: 'x' }, admin), 'BAD_USER_INPUT', 'after');
    await expect(hub.db.query("UPDATE partners.audit_log SET outcome = 'OK'")).rejects.toThrow(/append-only/);
    await expect(hub.db.query('DELETE FROM partners.audit_log')).rejects.toThrow(/append-only/);
  });
});
