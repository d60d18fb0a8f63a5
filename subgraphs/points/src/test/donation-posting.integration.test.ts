import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../../../../test/support/hub';
import { signServiceToken } from '../../../../test/support/keys';
import { ledgerViolations, NO_VIOLATIONS } from '../../../../test/support/ledger';

let hub: TestHub;
let service: string;
const POST = 'mutation($input: PostDonationInput!) { postDonation(input: $input) { donationId outcome transactionId } }';
type Posted = { postDonation: { donationId: string; outcome: 'POSTED' | 'REFUSED'; transactionId: string | null } };

// Its own database: these postings are made with the service credential directly, without donations rows.
beforeAll(async () => {
  hub = await startHub({ gateway: false, subgraphs: ['members', 'partners', 'points'], isolatedDatabase: true, env: { PLEDGE_RELAY_INTERVAL_MS: '0' } });
  service = await signServiceToken(hub.keys, 'donations', 'ledger:donate');
});
afterAll(async () => hub?.stop());

async function memberWith(amount: string) {
  const admin = await hub.admin();
  const partner = await hub.query<{ createPartner: { partner: { id: string } } }>(
    'mutation($i: CreatePartnerInput!) { createPartner(input: $i) { partner { id } } }',
    { i: { name: `P ${randomUUID()}`, currency: 'NOK' } },
    admin,
    'partners',
  );
  const partnerToken = await hub.partnerToken(partner.data!.createPartner.partner.id);
  const member = await hub.query<{ enrollMember: { member: { id: string } } }>(
    'mutation($i: EnrollMemberInput!) { enrollMember(input: $i) { member { id } } }',
    { i: { email: `d-${randomUUID()}@example.com`, displayName: 'Donor', idempotencyKey: randomUUID() } },
    partnerToken,
    'members',
  );
  const memberId = member.data!.enrollMember.member.id;
  const key = randomUUID();
  const earned = await hub.query('mutation($i: EarnPointsInput!) { earnPoints(input: $i) { transaction { id } } }', { i: { memberId, purchase: { amount, currency: 'NOK' }, reference: key, idempotencyKey: key } }, partnerToken, 'points');
  expect(earned.errors).toBeUndefined();
  return memberId;
}

describe('postDonation (internal, idempotent by donation id)', () => {
  it('posts once however many times, and concurrently, it is called', async () => {
    const memberId = await memberWith('100.00');
    const input = { donationId: randomUUID(), memberId, charityId: randomUUID(), points: 60 };
    const answers = await Promise.all(Array.from({ length: 12 }, () => hub.query<Posted>(POST, { input }, service, 'points')));
    expect(answers.every((a) => !a.errors && a.data?.postDonation.outcome === 'POSTED')).toBe(true);
    expect(new Set(answers.map((a) => a.data?.postDonation.transactionId)).size).toBe(1);
    expect(await count(hub.db, 'points.transactions', "member_id = $1 AND kind = 'DONATION'", [memberId])).toBe(1);
    // The same id with other facts is refused, not re-posted.
    const other = await hub.query(POST, { input: { ...input, points: 61 } }, service, 'points');
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'donationId' });
  });

  it('refuses what the member cannot cover, once and for all, and never overspends under concurrency', async () => {
    const memberId = await memberWith('100.00');
    const charityId = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => hub.query<Posted>(POST, { input: { donationId: randomUUID(), memberId, charityId, points: 30 } }, service, 'points')));
    const outcomes = answers.map((a) => a.data?.postDonation.outcome).sort();
    expect(outcomes).toEqual([...Array(3).fill('POSTED'), ...Array(7).fill('REFUSED')]);
    const refused = answers.find((a) => a.data?.postDonation.outcome === 'REFUSED')!.data!.postDonation.donationId;
    // A refusal stands even once the member could pay: the donations side has already failed that donation.
    const again = await hub.query<Posted>(POST, { input: { donationId: refused, memberId, charityId, points: 30 } }, service, 'points');
    expect(again.data?.postDonation.outcome).toBe('REFUSED');
    const { rows } = await hub.db.query<{ balance: string; charity: string }>(
      `SELECT (SELECT balance::text FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1) AS balance,
              (SELECT balance::text FROM points.accounts WHERE kind = 'CHARITY' AND owner_id = $2) AS charity`,
      [memberId, charityId],
    );
    expect(rows[0]).toEqual({ balance: '10', charity: '90' });
    // A member who never earned has nothing to give.
    const stranger = await hub.query<Posted>(POST, { input: { donationId: randomUUID(), memberId: randomUUID(), charityId, points: 1 } }, service, 'points');
    expect(stranger.data?.postDonation.outcome).toBe('REFUSED');
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('keeps the database from holding a DONATION transaction without its decision, or changing a decision', async () => {
    await expect(
      hub.db.query(`WITH t AS (INSERT INTO points.transactions (kind, member_id, reference, points) VALUES ('DONATION', $1, 'forged', 0) RETURNING id) SELECT id FROM t`, [randomUUID()]),
    ).rejects.toThrow(/has no donation posting/);
    await expect(hub.db.query(`UPDATE points.donation_postings SET outcome = 'REFUSED'`)).rejects.toThrow(/append-only/);
  });

  it('writes an outbox event in the same transaction as every earn and earn reversal', async () => {
    const memberId = await memberWith('10.00');
    const events = await hub.db.query<{ kind: string; purchase_minor: string }>('SELECT kind, purchase_minor::text FROM points.earn_outbox WHERE member_id = $1', [memberId]);
    expect(events.rows).toEqual([{ kind: 'EARN', purchase_minor: '1000' }]);
    expect(await count(hub.db, 'points.transactions t LEFT JOIN points.earn_outbox o ON o.transaction_id = t.id', "t.kind = 'EARN' AND o.id IS NULL")).toBe(0);
  });
});
