import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../support/hub';

let hub: TestHub;
/** Marks this file's rows, so counts ignore what other test files write meanwhile. */
const tag = randomUUID().slice(0, 8);
let partner: { id: string; token: string };
let member: { id: string };

beforeAll(async () => {
  hub = await startHub();
  partner = await hub.seed.partner({ currency: 'NOK' });
  member = await hub.seed.member(partner.token);
});
afterAll(async () => hub?.stop());

const ENROLL = 'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }';
const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }';
const CREATE_PARTNER = 'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }';
const CREATE_CHARITY = 'mutation($input: CreateCharityInput!) { createCharity(input: $input) { charity { id } } }';

async function totals() {
  return {
    members: await count(hub.db, 'members.members', 'email LIKE $1', [`%${tag}%`]),
    partners: await count(hub.db, 'partners.partners', 'name LIKE $1', [`%${tag}%`]),
    charities: await count(hub.db, 'donations.charities', 'name LIKE $1', [`%${tag}%`]),
    transactions: await count(hub.db, 'points.transactions', 'member_id = $1', [member.id]),
    postings: await count(hub.db, 'points.postings p JOIN points.accounts a ON a.id = p.account_id', 'a.owner_id = $1', [member.id]),
    keys: (await count(hub.db, 'members.idempotency_keys', 'caller LIKE $1', [`%${partner.id}`])) +
      (await count(hub.db, 'points.idempotency_keys', 'caller LIKE $1', [`%${partner.id}`])),
  };
}

describe('bad input', () => {
  it('is refused with BAD_USER_INPUT naming the field, and nothing is written', async () => {
    const admin = await hub.admin();
    const enroll = (patch: Record<string, unknown>) => ({ input: { email: `ok-${tag}-${randomUUID()}@example.com`, displayName: 'Fine Name', idempotencyKey: randomUUID(), ...patch } });
    const earn = (patch: Record<string, unknown>) => ({
      input: { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'R-1', idempotencyKey: randomUUID(), ...patch },
    });
    const cases: [string, string, string, Record<string, unknown>, string][] = [
      ['empty display name', partner.token, ENROLL, enroll({ displayName: '   ' }), 'displayName'],
      ['over-long display name', partner.token, ENROLL, enroll({ displayName: 'x'.repeat(101) }), 'displayName'],
      ['malformed email', partner.token, ENROLL, enroll({ email: 'not-an-email' }), 'email'],
      ['email without a domain', partner.token, ENROLL, enroll({ email: 'someone@localhost' }), 'email'],
      ['impossible birth date', partner.token, ENROLL, enroll({ birthDate: '2001-02-29' }), 'birthDate'],
      ['unknown referral code', partner.token, ENROLL, enroll({ referralCode: 'ZZZZZZZZ' }), 'referralCode'],
      ['empty idempotency key', partner.token, ENROLL, enroll({ idempotencyKey: '' }), 'idempotencyKey'],
      ['empty partner name', admin, CREATE_PARTNER, { input: { name: '', currency: 'NOK' } }, 'name'],
      ['over-long partner name', admin, CREATE_PARTNER, { input: { name: 'p'.repeat(201), currency: 'NOK' } }, 'name'],
      ['unknown partner currency', admin, CREATE_PARTNER, { input: { name: `P ${tag} ${randomUUID()}`, currency: 'XYZ' } }, 'currency'],
      ['negative earn rate', admin, CREATE_PARTNER, { input: { name: `P ${tag} ${randomUUID()}`, currency: 'NOK', earnRate: '-1' } }, 'earnRate'],
      ['zero earn rate', admin, CREATE_PARTNER, { input: { name: `P ${tag} ${randomUUID()}`, currency: 'NOK', earnRate: '0' } }, 'earnRate'],
      ['issue price in another currency', admin, CREATE_PARTNER, { input: { name: `P ${tag} ${randomUUID()}`, currency: 'NOK', issuePrice: { amount: '0.1', currency: 'EUR' } } }, 'issuePrice.currency'],
      ['empty charity name', admin, CREATE_CHARITY, { input: { name: '' } }, 'name'],
      ['negative purchase', partner.token, EARN, earn({ purchase: { amount: '-5.00', currency: 'NOK' } }), 'purchase.amount'],
      ['fractional minor units', partner.token, EARN, earn({ purchase: { amount: '10.005', currency: 'NOK' } }), 'purchase.amount'],
      ['zero purchase', partner.token, EARN, earn({ purchase: { amount: '0', currency: 'NOK' } }), 'purchase.amount'],
      ['non-numeric purchase', partner.token, EARN, earn({ purchase: { amount: '1e3', currency: 'NOK' } }), 'purchase.amount'],
      ['unknown purchase currency', partner.token, EARN, earn({ purchase: { amount: '10.00', currency: 'XYZ' } }), 'purchase.currency'],
      ["a currency not the partner's", partner.token, EARN, earn({ purchase: { amount: '10.00', currency: 'SEK' } }), 'purchase.currency'],
      ['over-long reference', partner.token, EARN, earn({ reference: 'r'.repeat(256) }), 'reference'],
      ['malformed member id', partner.token, EARN, earn({ memberId: 'not-a-uuid' }), 'memberId'],
      ['idempotency key with a space', partner.token, EARN, earn({ idempotencyKey: 'has space' }), 'idempotencyKey'],
      ['over-long idempotency key', partner.token, EARN, earn({ idempotencyKey: 'k'.repeat(256) }), 'idempotencyKey'],
    ];
    const before = await totals();
    for (const [name, token, query, variables, field] of cases) {
      const result = await hub.query(query, variables, token);
      expect(result.errors?.[0]?.extensions?.code, name).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field, name).toBe(field);
      expect(result.errors?.[0]?.message, name).toContain(field);
    }
    expect(await totals()).toEqual(before);
  });

  it('refuses a fractional or out-of-range Int at the GraphQL layer, before any resolver runs', async () => {
    const result = await hub.query('{ members(first: 1.5) { nodes { id } } }', {}, await hub.admin());
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(result.data ?? null).toBeNull();
  });

  it('answers NOT_FOUND for earning to a member that does not exist, and writes nothing', async () => {
    const before = await totals();
    const result = await hub.query(
      EARN,
      { input: { memberId: randomUUID(), purchase: { amount: '10.00', currency: 'NOK' }, reference: 'R', idempotencyKey: randomUUID() } },
      partner.token,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await totals()).toEqual(before);
  });

  it('refuses a second enrollment of the same email (any case)', async () => {
    const email = `dupe-${tag}-${randomUUID()}@example.com`;
    await hub.must(ENROLL, { input: { email, displayName: 'First', idempotencyKey: randomUUID() } }, partner.token);
    const before = await totals();
    const again = await hub.query(ENROLL, { input: { email: email.toUpperCase(), displayName: 'Second', idempotencyKey: randomUUID() } }, partner.token);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    expect(await totals()).toEqual(before);
  });
});
