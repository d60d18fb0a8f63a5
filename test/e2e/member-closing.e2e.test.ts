import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
beforeAll(async () => {
  hub = await startHub({ env: { DONATION_MIN_POINTS: '1', CLOSING_RECONCILE_INTERVAL_MS: '0' } });
});
afterAll(async () => hub?.stop());

const CLOSE = 'mutation($input: CloseMembershipInput!) { closeMembership(input: $input) { member { id status } } }';
const ME = '{ me { id status points { balance available history(first: 50) { nodes { kind points } } } } }';
const REPORT = 'query($c: ID) { donationReport(from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", charityId: $c) { totalPoints byCharity { charity { id } points donations } } }';
type Me = { me: { id: string; status: string; points: { balance: number; available: number; history: { nodes: { kind: string; points: number }[] } } } };

const close = (token: string, input: Record<string, unknown>) =>
  hub.query<{ closeMembership: { member: { id: string; status: string } } }>(CLOSE, { input: { idempotencyKey: randomUUID(), ...input } }, token);
const code = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

async function memberWith(amount: string) {
  const partner = await hub.seed.partner();
  const member = await hub.seed.member(partner.token);
  const earn = await hub.seed.earn(partner.token, member.id, amount, 'NOK');
  return { partner, member, earn };
}

describe('closeMembership', () => {
  it('FORFEIT: the points expire to breakage from the member\'s lots, the member is CLOSED, still reads their history, and every write answers MEMBER_CLOSED', async () => {
    const { partner, member, earn } = await memberWith('250.00');
    const key = randomUUID();
    const closed = await close(member.token, { remainingPoints: 'FORFEIT', idempotencyKey: key });
    expect(closed.errors).toBeUndefined();
    expect(closed.data!.closeMembership.member).toEqual({ id: member.id, status: 'CLOSED' });
    // The same key answers the same; another input under it is refused.
    expect((await close(member.token, { remainingPoints: 'FORFEIT', idempotencyKey: key })).data?.closeMembership.member.status).toBe('CLOSED');

    const me = await hub.must<Me>(ME, {}, member.token);
    expect(me.me.status).toBe('CLOSED');
    expect(me.me.points.balance).toBe(0);
    expect(me.me.points.history.nodes).toEqual([
      { kind: 'EXPIRY', points: -250 },
      { kind: 'EARN', points: 250 },
    ]);
    // Forfeited like expired points: the partner's lot is empty, its points went to breakage by an EXPIRY movement.
    const { rows } = await hub.db.query<{ remaining: string; expired: string }>(
      `SELECT l.remaining::text, (SELECT -sum(m.points) FROM points.lot_movements m JOIN points.transactions t ON t.id = m.transaction_id
          WHERE m.lot_id = l.id AND t.kind = 'EXPIRY')::text AS expired FROM points.lots l WHERE l.transaction_id = $1`,
      [earn.id],
    );
    expect(rows).toEqual([{ remaining: '0', expired: '250' }]);

    const ledger = ledgerClient(hub);
    const charity = await hub.seed.charity();
    const refusals = {
      earn: await hub.query('mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }', { input: { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'after-close', idempotencyKey: randomUUID() } }, partner.token),
      code: await hub.query('mutation { createRedemptionCode(input: {}) { code } }', {}, member.token),
      reverse: await ledger.reverse(partner.token, earn.id),
      donate: await hub.query('mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { id } } }', { input: { charityId: charity.id, points: 1, idempotencyKey: randomUUID() } }, member.token),
      replaceCard: await hub.query('mutation($input: ReplaceCardInput!) { replaceCard(input: $input) { member { id } } }', { input: { reason: 'LOST', idempotencyKey: randomUUID() } }, member.token),
      closeAgain: await close(await hub.admin(), { memberId: member.id, remainingPoints: 'FORFEIT' }),
      updateProfile: await hub.query('mutation { updateProfile(input: { displayName: "Gone" }) { member { id } } }', {}, member.token),
      setConsents: await hub.query('mutation { setConsents(input: { marketing: true }) { member { id } } }', {}, member.token),
      grant: await hub.query('mutation($input: GrantPointsInput!) { grantPoints(input: $input) { transaction { id } } }', { input: { memberId: member.id, points: 5, reason: 'goodwill', reference: 'G-1', idempotencyKey: randomUUID() } }, await hub.admin()),
      activateOffer: await hub.query('mutation($input: ActivateOfferInput!) { activateOffer(input: $input) { activation { activatedAt } } }', { input: { offerId: randomUUID() } }, member.token),
    };
    expect(Object.fromEntries(Object.entries(refusals).map(([k, r]) => [k, code(r)]))).toEqual({
      earn: 'MEMBER_CLOSED',
      code: 'MEMBER_CLOSED',
      reverse: 'MEMBER_CLOSED',
      donate: 'MEMBER_CLOSED',
      replaceCard: 'MEMBER_CLOSED',
      closeAgain: 'MEMBER_CLOSED',
      updateProfile: 'MEMBER_CLOSED',
      setConsents: 'MEMBER_CLOSED',
      grant: 'MEMBER_CLOSED',
      activateOffer: 'MEMBER_CLOSED',
    });
    // Nothing was written by the refusals: two transactions, no donation.
    expect(await count(hub.db, 'points.transactions', 'member_id = $1', [member.id])).toBe(2);
    expect(await count(hub.db, 'donations.donations', "member_id = $1 AND status <> 'FAILED'", [member.id])).toBe(0);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('DONATE: the remaining points go to the charity through the donation flow, once, and show in its report', async () => {
    const { member } = await memberWith('300.00');
    const charity = await hub.seed.charity();
    const key = randomUUID();
    const closed = await close(member.token, { remainingPoints: 'DONATE', charityId: charity.id, idempotencyKey: key });
    expect(closed.errors).toBeUndefined();
    expect(closed.data!.closeMembership.member.status).toBe('CLOSED');
    await close(member.token, { remainingPoints: 'DONATE', charityId: charity.id, idempotencyKey: key });

    const me = await hub.must<Me>(ME, {}, member.token);
    expect(me.me.points.balance).toBe(0);
    expect(me.me.points.history.nodes[0]).toEqual({ kind: 'DONATION', points: -300 });
    const report = await hub.must<{ donationReport: { totalPoints: string; byCharity: { points: string; donations: number }[] } }>(REPORT, { c: charity.id }, await hub.admin());
    expect(report.donationReport.byCharity).toEqual([{ charity: { id: charity.id }, points: '300', donations: 1 }]);
    const { rows } = await hub.db.query('SELECT status, points::int FROM donations.donations WHERE member_id = $1', [member.id]);
    expect(rows).toEqual([{ status: 'CONFIRMED', points: 300 }]);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('open holds refuse the closing (OPEN_HOLDS) and change nothing; once the hold is voided the member can close', async () => {
    const { partner, member } = await memberWith('100.00');
    const ledger = ledgerClient(hub);
    const hold = await ledger.authorize(partner.token, member.id, 40, await ledger.code(member.token));
    expect(hold.errors).toBeUndefined();
    const refused = await close(member.token, { remainingPoints: 'FORFEIT' });
    expect(code(refused)).toBe('OPEN_HOLDS');
    const me = await hub.must<Me>(ME, {}, member.token);
    expect({ status: me.me.status, balance: me.me.points.balance, available: me.me.points.available }).toEqual({ status: 'ACTIVE', balance: 100, available: 60 });
    // Still a member: the till earns for them.
    await hub.seed.earn(partner.token, member.id, '10.00', 'NOK');
    await ledger.void(partner.token, hold.data!.authorizeRedemption.hold.id);
    const closed = await close(member.token, { remainingPoints: 'FORFEIT' });
    expect(closed.data?.closeMembership.member.status).toBe('CLOSED');
    expect((await hub.must<Me>(ME, {}, member.token)).me.points.history.nodes[0]).toEqual({ kind: 'EXPIRY', points: -110 });
  });

  it('the member closes their own membership, the admin any; nobody else; bad input names the field and writes nothing', async () => {
    const { partner, member } = await memberWith('20.00');
    const other = await hub.seed.member(partner.token);
    const charity = await hub.seed.charity();
    const admin = await hub.admin();
    expect(code(await close(other.token, { memberId: member.id, remainingPoints: 'FORFEIT' }))).toBe('FORBIDDEN');
    expect(code(await close(partner.token, { memberId: member.id, remainingPoints: 'FORFEIT' }))).toBe('FORBIDDEN');
    const noMember = await close(admin, { remainingPoints: 'FORFEIT' });
    expect(noMember.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'memberId' });
    const noCharity = await close(member.token, { remainingPoints: 'DONATE' });
    expect(noCharity.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'charityId' });
    await hub.must('mutation($input: UpdateCharityInput!) { updateCharity(input: $input) { charity { id } } }', { input: { charityId: charity.id, status: 'INACTIVE' } }, admin);
    expect(code(await close(member.token, { remainingPoints: 'DONATE', charityId: charity.id }))).toBe('CHARITY_INACTIVE');
    expect(code(await close(admin, { memberId: randomUUID(), remainingPoints: 'FORFEIT' }))).toBe('NOT_FOUND');
    expect(await count(hub.db, 'members.closings', 'member_id = $1', [member.id])).toBe(0);

    const byAdmin = await close(admin, { memberId: member.id, remainingPoints: 'FORFEIT' });
    expect(byAdmin.data?.closeMembership.member).toEqual({ id: member.id, status: 'CLOSED' });
    // The other member is untouched.
    expect((await hub.must<Me>(ME, {}, other.token)).me.status).toBe('ACTIVE');
  });

  it('a member who never earned closes too (their ledger account is created closed)', async () => {
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    expect((await close(member.token, { remainingPoints: 'FORFEIT' })).data?.closeMembership.member.status).toBe('CLOSED');
    const earn = await hub.query('mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }', { input: { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'x', idempotencyKey: randomUUID() } }, partner.token);
    expect(code(earn)).toBe('MEMBER_CLOSED');
  });
});

describe('closeMembership across a crash', () => {
  let crashing: TestHub;
  beforeAll(async () => {
    // The members subgraph stops once right after the ledger closed the account (before members records it).
    crashing = await startHub({ env: { DONATION_MIN_POINTS: '1', MEMBERS_CRASH_AT: 'ledger-call', CLOSING_RECONCILE_INTERVAL_MS: '100', CLOSING_RECONCILE_AFTER_MS: '300' } });
  });
  afterAll(async () => crashing?.stop());

  it('a closing left half done is completed exactly once by the reconciler, and a retry with the key answers it', async () => {
    const partner = await crashing.seed.partner();
    const member = await crashing.seed.member(partner.token);
    await crashing.seed.earn(partner.token, member.id, '120.00', 'NOK');
    const charity = await crashing.seed.charity();
    const key = randomUUID();
    const input = { remainingPoints: 'DONATE', charityId: charity.id, idempotencyKey: key };
    const first = await crashing.query(CLOSE, { input }, member.token);
    expect(code(first)).toBe('INTERNAL');
    // The ledger closed the account; members has not recorded it yet, and writes are already refused.
    expect((await crashing.db.query("SELECT status FROM members.closings WHERE member_id = $1", [member.id])).rows).toEqual([{ status: 'PENDING' }]);
    expect(await count(crashing.db, 'points.member_closings', 'member_id = $1', [member.id])).toBe(1);
    const replace = await crashing.query('mutation($input: ReplaceCardInput!) { replaceCard(input: $input) { member { id } } }', { input: { reason: 'LOST', idempotencyKey: randomUUID() } }, member.token);
    expect(code(replace)).toBe('MEMBER_CLOSED');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await count(crashing.db, 'members.closings', "member_id = $1 AND status = 'DONE'", [member.id])) === 0) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // The reconciler finished it, not the retry below.
    expect(await count(crashing.db, 'members.closings', "member_id = $1 AND status = 'DONE'", [member.id])).toBe(1);
    const retry = await crashing.query<{ closeMembership: { member: { status: string } } }>(CLOSE, { input }, member.token);
    expect(retry.data?.closeMembership.member.status).toBe('CLOSED');
    expect((await crashing.db.query('SELECT status, remaining_points::int, donated_points::int FROM members.closings WHERE member_id = $1', [member.id])).rows).toEqual([
      { status: 'DONE', remaining_points: 120, donated_points: 120 },
    ]);
    expect(await count(crashing.db, 'donations.donations', 'member_id = $1', [member.id])).toBe(1);
    expect(await count(crashing.db, 'points.transactions', "member_id = $1 AND kind = 'DONATION'", [member.id])).toBe(1);
    expect(await ledgerViolations(crashing.db)).toEqual(NO_VIOLATIONS);
  });
});
