import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';

let hub: TestHub;
beforeAll(async () => {
  hub = await startHub({ env: { DONATION_MIN_POINTS: '10', PLEDGE_RELAY_INTERVAL_MS: '200' } });
});
afterAll(async () => hub?.stop());

const DONATE = 'mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { id status } } }';
const CODE = 'mutation { createRedemptionCode(input: { maxPoints: 50 }) { code } }';

type Rows = Record<string, unknown>[];
type Export = { memberId: string; exportedAt: string; members: Record<string, Rows>; points: Record<string, Rows>; partners: Record<string, Rows>; donations: Record<string, Rows> };

/** A member with some of everything: enrolled by a partner, an earn, a redemption code, a donation. */
async function activeMember(email = `m-${randomUUID()}@example.com`, displayName = `Member ${randomUUID().slice(0, 8)}`, subject?: string) {
  const partner = await hub.seed.partner({ currency: 'NOK' });
  const member = await hub.seed.member(partner.token, { email, displayName });
  const token = subject ? await hub.token({ scope: 'member', member_id: member.id }, { subject }) : member.token;
  const earn = await hub.seed.earn(partner.token, member.id, '500.00', 'NOK');
  const charity = await hub.seed.charity();
  await hub.must(CODE, {}, token);
  const donation = await hub.must<{ donatePoints: { donation: { id: string; status: string } } }>(DONATE, { input: { charityId: charity.id, points: 100, idempotencyKey: `donation-${randomUUID()}` } }, token);
  expect(donation.donatePoints.donation.status).toBe('CONFIRMED');
  return { partner, member, token, earn, charity, donation: donation.donatePoints.donation, email, displayName };
}

const exportUrl = (memberId: string) => new URL(`/members/${memberId}/export.json`, hub.gatewayUrl);
const download = (memberId: string, token?: string) => fetch(exportUrl(memberId), { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('GET /members/{id}/export.json', () => {
  it('gives the member everything each subgraph holds about them, one section per subgraph, as an uncached attachment', async () => {
    const m = await activeMember();
    const response = await download(m.member.id, m.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="member-${m.member.id}-export.json"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const doc = (await response.json()) as Export;
    expect(doc.memberId).toBe(m.member.id);
    expect(Object.keys(doc).sort()).toEqual(['donations', 'exportedAt', 'memberId', 'members', 'partners', 'points']);

    // members: the profile, the card, the enrolment's audit row (the partner's call naming the member).
    expect(doc.members.member).toEqual([expect.objectContaining({ id: m.member.id, email: m.email, display_name: m.displayName, card_number: m.member.cardNumber })]);
    expect(doc.members.cards).toEqual([expect.objectContaining({ card_number: m.member.cardNumber, status: 'ACTIVE' })]);
    expect(doc.members.audit_log.map((r) => [r.operation, r.target_id, r.partner_id])).toEqual([['enrollMember', m.member.id, m.partner.id]]);
    for (const section of ['idempotency_keys']) expect(Array.isArray(doc.members[section])).toBe(true);

    // points: the account, the earn (with its partner) and the donation, their postings and lots, the code without its hash.
    expect(doc.points.account).toEqual([expect.objectContaining({ kind: 'MEMBER', owner_id: m.member.id, balance: '400' })]);
    expect(doc.points.transactions.map((t) => [t.kind, t.partner_id, t.points])).toEqual([
      ['EARN', m.partner.id, '500'],
      ['DONATION', null, '-100'],
    ]);
    expect(doc.points.postings).toHaveLength(2);
    expect(doc.points.lots).toEqual([expect.objectContaining({ partner_id: m.partner.id, points: '500', remaining: '400' })]);
    expect(doc.points.redemption_codes).toHaveLength(1);
    expect(Object.keys(doc.points.redemption_codes[0])).not.toContain('code_hash');
    expect(doc.points.donation_postings).toEqual([expect.objectContaining({ donation_id: m.donation.id, outcome: 'POSTED' })]);
    // The member's own calls in the points audit log (the donation's posting is the donations service's call).
    expect(doc.points.audit_log.map((r) => [r.operation, r.member_id])).toEqual([['createRedemptionCode', m.member.id]]);
    expect(doc.points.idempotency_keys).toEqual([]);

    // donations: the donation with its charity's name, its receipt, the member's call and its key.
    expect(doc.donations.donations).toEqual([expect.objectContaining({ id: m.donation.id, charity_id: m.charity.id, status: 'CONFIRMED', points: '100' })]);
    expect(typeof doc.donations.donations[0].charity_name).toBe('string');
    expect(doc.donations.receipts).toEqual([expect.objectContaining({ kind: 'DONATION', subject_id: m.donation.id, charity_id: m.charity.id })]);
    expect(doc.donations.audit_log.map((r) => [r.operation, r.member_id])).toEqual([['donatePoints', m.member.id]]);
    expect(doc.donations.idempotency_keys).toEqual([expect.objectContaining({ operation: 'donatePoints' })]);

    // partners: holds nothing about members but its audit log; still its own section.
    expect(doc.partners).toEqual({ audit_log: [], idempotency_keys: [] });
  });

  it('gives the admin the same document', async () => {
    const m = await activeMember();
    const response = await download(m.member.id, await hub.admin());
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Export;
    expect(doc.members.member[0].email).toBe(m.email);
    expect(doc.points.transactions).toHaveLength(2);
  });

  it('answers anyone else exactly as for a missing member: 404, same body', async () => {
    const m = await activeMember();
    const other = await activeMember();
    const missing = randomUUID();
    const callers = {
      otherMember: other.token,
      partnerThatEnrolled: m.partner.token,
      charity: await hub.token({ scope: 'reports:read', charity_id: m.charity.id }, { subject: `charity-${m.charity.id}` }),
    };
    for (const [who, token] of Object.entries(callers)) {
      const forMember = await download(m.member.id, token);
      const forMissing = await download(missing, token);
      expect([who, forMember.status]).toEqual([who, 404]);
      expect([who, forMissing.status]).toEqual([who, 404]);
      const [a, b] = [await forMember.text(), await forMissing.text()];
      expect(a).toBe(b);
      expect(JSON.parse(a)).toEqual({ errors: [{ message: 'Member not found', extensions: { code: 'NOT_FOUND' } }] });
    }
    // The admin asking for a missing member gets the same answer; not an id at all, too.
    const admin = await hub.admin();
    for (const id of [missing, 'not-an-id']) {
      const response = await download(id, admin);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ errors: [{ message: 'Member not found', extensions: { code: 'NOT_FOUND' } }] });
    }
    // No token: 401, as every download.
    const anonymous = await download(m.member.id);
    expect(anonymous.status).toBe(401);
  });
});
