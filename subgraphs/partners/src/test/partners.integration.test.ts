import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../../../../test/support/hub';

let hub: TestHub;
const CREATE = 'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id name status currency terms { earnRate issuePrice { amount currency } reimbursement { amount currency } } } } }';
type Created = { createPartner: { partner: { id: string; status: string; terms: { earnRate: string; issuePrice: { amount: string }; reimbursement: { amount: string } } } } };

beforeAll(async () => {
  // Members too: a member token's identity is checked against the members subgraph (lib/src/member-link.ts).
  hub = await startHub({ gateway: false, subgraphs: ['members', 'partners'] });
});
afterAll(async () => hub?.stop());

describe('partners subgraph, called directly', () => {
  it('onboards a partner with contract terms and default prices', async () => {
    const admin = await hub.admin();
    const explicit = await hub.query<Created>(
      CREATE,
      { input: { name: `Fuel ${randomUUID()}`, currency: 'SEK', earnRate: '0.25', issuePrice: { amount: '0.105', currency: 'SEK' }, reimbursement: { amount: '0.09', currency: 'SEK' } } },
      admin,
      'partners',
    );
    expect(explicit.errors).toBeUndefined();
    expect(explicit.data?.createPartner.partner.terms).toEqual({
      earnRate: '0.25',
      issuePrice: { amount: '0.105', currency: 'SEK' },
      reimbursement: { amount: '0.09', currency: 'SEK' },
    });
    const defaults = await hub.query<Created>(CREATE, { input: { name: `Books ${randomUUID()}`, currency: 'DKK' } }, admin, 'partners');
    expect(defaults.data?.createPartner.partner.terms).toEqual({
      earnRate: '1',
      issuePrice: { amount: '0.01', currency: 'DKK' },
      reimbursement: { amount: '0.01', currency: 'DKK' },
    });
  });

  it('refuses a duplicate name in any case, and replays an idempotent onboarding', async () => {
    const admin = await hub.admin();
    const name = `Grocer ${randomUUID()}`;
    const key = randomUUID();
    const a = await hub.query<Created>(CREATE, { input: { name, currency: 'NOK', idempotencyKey: key } }, admin, 'partners');
    const b = await hub.query<Created>(CREATE, { input: { name, currency: 'NOK', idempotencyKey: key } }, admin, 'partners');
    expect(b.data?.createPartner.partner.id).toBe(a.data?.createPartner.partner.id);
    const dupe = await hub.query(CREATE, { input: { name: name.toUpperCase(), currency: 'NOK' } }, admin, 'partners');
    expect(dupe.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(await count(hub.db, 'partners.partners', 'name_normalized = lower($1)', [name])).toBe(1);
  });

  it('suspends and reactivates; an unknown partner is NOT_FOUND', async () => {
    const admin = await hub.admin();
    const created = await hub.query<Created>(CREATE, { input: { name: `Air ${randomUUID()}`, currency: 'EUR' } }, admin, 'partners');
    const id = created.data!.createPartner.partner.id;
    const suspended = await hub.query<{ suspendPartner: { partner: { status: string } } }>(
      `mutation { suspendPartner(input: { partnerId: "${id}" }) { partner { status } } }`,
      {},
      admin,
      'partners',
    );
    expect(suspended.data?.suspendPartner.partner.status).toBe('SUSPENDED');
    const reactivated = await hub.query<{ reactivatePartner: { partner: { status: string } } }>(
      `mutation { reactivatePartner(input: { partnerId: "${id}" }) { partner { status } } }`,
      {},
      admin,
      'partners',
    );
    expect(reactivated.data?.reactivatePartner.partner.status).toBe('ACTIVE');
    const missing = await hub.query(`mutation { suspendPartner(input: { partnerId: "${randomUUID()}" }) { partner { status } } }`, {}, admin, 'partners');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("resolves Partner entities for any caller but shows terms only to the partner itself", async () => {
    const admin = await hub.admin();
    const created = await hub.query<Created>(CREATE, { input: { name: `Cafe ${randomUUID()}`, currency: 'NOK' } }, admin, 'partners');
    const id = created.data!.createPartner.partner.id;
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Partner { id name terms { earnRate } } } }';
    const own = await hub.query<{ _entities: { id: string; terms: unknown }[] }>(q, { r: [{ __typename: 'Partner', id }] }, await hub.partnerToken(id), 'partners');
    expect(own.data?._entities[0].terms).toEqual({ earnRate: '1' });
    const other = await hub.query<{ _entities: { id: string; terms: unknown }[] }>(q, { r: [{ __typename: 'Partner', id }] }, await hub.partnerToken(randomUUID()), 'partners');
    expect(other.data?._entities[0]).toMatchObject({ id, terms: null });
    const viewer = await hub.query<{ viewerPartner: { id: string } }>('{ viewerPartner { id } }', {}, await hub.partnerToken(id), 'partners');
    expect(viewer.data?.viewerPartner.id).toBe(id);
  });
});
