import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../../../../test/support/hub';
import { isValidCardNumber } from '../domain/card-number';

let hub: TestHub;
const ENROLL = 'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id cardNumber referralCode email } } }';
type Enrolled = { enrollMember: { member: { id: string; cardNumber: string; referralCode: string | null; email: string | null } } };

beforeAll(async () => {
  // Enrollment asks the partners subgraph whether the enrolling partner is onboarded and active.
  hub = await startHub({ gateway: false, subgraphs: ['members', 'partners'] });
});

/** Onboards a partner straight through the partners subgraph and returns its id. */
async function onboardedPartner(): Promise<string> {
  const created = await hub.query<{ createPartner: { partner: { id: string } } }>(
    'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
    { input: { name: `Partner ${randomUUID()}`, currency: 'NOK' } },
    await hub.admin(),
    'partners',
  );
  return created.data!.createPartner.partner.id;
}
afterAll(async () => hub?.stop());

describe('members subgraph, called directly', () => {
  it('enrolls with a valid card number and a referral code, and finds the member by card', async () => {
    const admin = await hub.admin();
    const first = await hub.query<Enrolled>(ENROLL, { input: { email: `a-${randomUUID()}@example.com`, displayName: 'Referrer', idempotencyKey: randomUUID() } }, admin, 'members');
    const referrer = first.data!.enrollMember.member;
    expect(isValidCardNumber(referrer.cardNumber)).toBe(true);
    expect(referrer.referralCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);

    const second = await hub.query<Enrolled>(
      ENROLL,
      { input: { email: `b-${randomUUID()}@example.com`, displayName: 'Referred', referralCode: referrer.referralCode!.toLowerCase(), idempotencyKey: randomUUID() } },
      admin,
      'members',
    );
    const referred = second.data!.enrollMember.member;
    const row = await hub.db.query('SELECT referred_by FROM members.members WHERE id = $1', [referred.id]);
    expect(row.rows[0].referred_by).toBe(referrer.id);

    const found = await hub.query<{ memberByCard: { id: string } }>(`{ memberByCard(cardNumber: "${referred.cardNumber}") { id } }`, {}, admin, 'members');
    expect(found.data?.memberByCard.id).toBe(referred.id);
    const typo = referred.cardNumber.slice(0, 15) + String((Number(referred.cardNumber[15]) + 1) % 10);
    const refused = await hub.query(`{ memberByCard(cardNumber: "${typo}") { id } }`, {}, admin, 'members');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cardNumber' });
  });

  it('replays the same key and input, refuses the same key with another input', async () => {
    const token = await hub.partnerToken(await onboardedPartner(), 'members:enroll');
    const input = { email: `c-${randomUUID()}@example.com`, displayName: 'Once', idempotencyKey: randomUUID() };
    const a = await hub.query<Enrolled>(ENROLL, { input }, token, 'members');
    const b = await hub.query<Enrolled>(ENROLL, { input }, token, 'members');
    expect(b.data!.enrollMember.member.id).toBe(a.data!.enrollMember.member.id);
    const c = await hub.query(ENROLL, { input: { ...input, displayName: 'Twice' } }, token, 'members');
    expect(c.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count(hub.db, 'members.members', 'email = $1', [input.email])).toBe(1);
  });

  it('creates exactly one member when 20 identical requests race', async () => {
    const token = await hub.partnerToken(await onboardedPartner(), 'members:enroll');
    const input = { email: `race-${randomUUID()}@example.com`, displayName: 'Racer', idempotencyKey: randomUUID() };
    const results = await Promise.all(Array.from({ length: 20 }, () => hub.query<Enrolled>(ENROLL, { input }, token, 'members')));
    const ids = new Set(results.map((r) => r.data?.enrollMember.member.id));
    expect(results.every((r) => !r.errors)).toBe(true);
    expect(ids.size).toBe(1);
    expect(await count(hub.db, 'members.members', 'email = $1', [input.email])).toBe(1);
  });

  it('shows email only to the enrolling partner, the member and the admin', async () => {
    const enrollingPartner = await onboardedPartner();
    const token = await hub.partnerToken(enrollingPartner);
    const enrolled = await hub.query<Enrolled>(ENROLL, { input: { email: `d-${randomUUID()}@example.com`, displayName: 'Private', idempotencyKey: randomUUID() } }, token, 'members');
    const id = enrolled.data!.enrollMember.member.id;
    const q = `{ member(id: "${id}") { email } }`;
    expect((await hub.query<{ member: { email: string | null } }>(q, {}, token, 'members')).data?.member.email).toMatch(/@example\.com$/);
    expect((await hub.query<{ member: { email: string | null } }>(q, {}, await hub.partnerToken(randomUUID()), 'members')).data?.member.email).toBeNull();
    expect((await hub.query<{ me: { email: string | null } }>('{ me { email } }', {}, await hub.memberToken(id), 'members')).data?.me.email).toMatch(/@example\.com$/);
  });

  it('has the database refuse a card number with a wrong check digit', async () => {
    await expect(
      hub.db.query(
        `INSERT INTO members.members (display_name, email, email_normalized, card_number, referral_code) VALUES ('X', 'x@example.com', 'x@example.com', '7000000000000001', 'ABCDEFGH')`,
      ),
    ).rejects.toThrow(/members_card_number_check/);
  });
});
