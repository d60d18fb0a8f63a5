import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BonusService } from '../../subgraphs/points/src/services/bonus.service';
import { type LedgerConfig } from '../../subgraphs/points/src/services/ledger.config';
import { startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';
import { until } from '../support/wait';

/**
 * Ambassadors, on a database of its own (the sweeper settles every due referral in it): a referrer whose
 * referred friends include AMBASSADOR_MIN_FRIENDS active ones (an earn in the last 12 months) becomes an
 * ambassador when the sweeper settles the referral that makes them so, and from that referral on is paid
 * AMBASSADOR_REFERRER_POINTS instead of REFERRAL_REFERRER_POINTS. The operator lists ambassadors.
 */

let hub: TestHub;
let partner: { id: string; token: string };
const MIN = 3;

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { MARKETING_POINT_PRICE: '0.004', AMBASSADOR_MIN_FRIENDS: String(MIN) } });
  partner = await hub.seed.partner({ currency: 'EUR', earnRate: '10' });
});
afterAll(async () => hub?.stop());

const config = {
  expiryMonths: 24,
  coalition: { timeZone: 'Europe/Oslo', currency: 'EUR', marketingPointPrice: '0.004', cashoutPointValue: '0.005', cashoutMinimumPoints: 1000, debtor: { name: 'x', iban: 'x', bic: null } },
  bonuses: {
    welcomePoints: 0,
    welcomeWindowDays: 30,
    referral: { friendPoints: 100, referrerPoints: 500, referrerYearlyCap: 50, ambassadorMinFriends: MIN, ambassadorReferrerPoints: 900 },
    birthdayPoints: 0,
    birthdayOn: 'MONTH',
  },
} as LedgerConfig;
const sweeper = () => new BonusService(hub.subgraphs.points!.dataSource, config);

const registered = (memberId: string) =>
  until('the registration', async () => (await hub.db.query('SELECT 1 FROM points.member_registrations WHERE member_id = $1', [memberId])).rowCount, (n) => n === 1);
const referralCodeOf = async (memberId: string) => (await hub.db.query('SELECT referral_code FROM members.members WHERE id = $1', [memberId])).rows[0].referral_code as string;
const referrerBonuses = async (memberId: string) =>
  (await hub.db.query<{ points: string }>(`SELECT t.points::text FROM points.transactions t WHERE t.member_id = $1 AND t.kind = 'BONUS' AND t.reference = 'referral bonus: a friend joined' ORDER BY t.created_at, t.id`, [memberId])).rows.map(
    (r) => r.points,
  );
const status = async (token: string) =>
  (await hub.must<{ me: { points: { ambassador: { ambassador: boolean; since: string | null; activeFriends: number; friendsNeeded: number } } } }>('{ me { points { ambassador { ambassador since activeFriends friendsNeeded } } } }', {}, token)).me.points.ambassador;

/** A friend referred by `referrer` (registered with the ledger). */
async function friendOf(referrer: { id: string }) {
  const friend = await hub.seed.member(partner.token, { referralCode: await referralCodeOf(referrer.id) });
  await registered(friend.id);
  return friend;
}

describe('ambassadors', () => {
  it('makes a referrer an ambassador at the friend that brings their active friends to the threshold, and pays them more from that referral on', async () => {
    const referrer = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, referrer.id, '1.00', 'EUR');
    const friends = [await friendOf(referrer), await friendOf(referrer)];
    for (const f of friends) await hub.seed.earn(partner.token, f.id, '2.00', 'EUR');
    expect(await sweeper().sweepReferrals()).toBe(4);
    expect(await referrerBonuses(referrer.id)).toEqual(['500', '500']);
    expect(await status(referrer.token)).toEqual({ ambassador: false, since: null, activeFriends: 2, friendsNeeded: MIN });

    const third = await friendOf(referrer);
    await hub.seed.earn(partner.token, third.id, '2.00', 'EUR');
    // Two sweepers at once: the status is recorded once, the referral paid once.
    const [a, b] = [sweeper(), sweeper()];
    expect((await Promise.all([a.sweepReferrals(), b.sweepReferrals()])).reduce((x, y) => x + y, 0)).toBe(2);
    expect(await referrerBonuses(referrer.id)).toEqual(['500', '500', '900']);
    const now = await status(referrer.token);
    expect(now).toMatchObject({ ambassador: true, activeFriends: 3, friendsNeeded: MIN });
    expect(Math.abs(Date.parse(now.since!) - Date.now())).toBeLessThan(60_000);

    const fourth = await friendOf(referrer);
    await hub.seed.earn(partner.token, fourth.id, '2.00', 'EUR');
    expect(await sweeper().sweepReferrals()).toBe(2);
    expect(await referrerBonuses(referrer.id)).toEqual(['500', '500', '900', '900']);
    // Friends are paid the same either way.
    expect((await hub.db.query(`SELECT count(*)::int AS n FROM points.transactions WHERE member_id = $1 AND kind = 'BONUS' AND points = 100`, [fourth.id])).rows[0].n).toBe(1);

    // The operator lists ambassadors, with the member's name from the members subgraph; nobody else may.
    const listed = await hub.must<{ ambassadors: { nodes: { member: { id: string; displayName: string }; since: string; activeFriendsThen: number }[] } }>(
      '{ ambassadors { nodes { member { id displayName } since activeFriendsThen } endCursor } }',
      {},
      await hub.admin(),
    );
    expect(listed.ambassadors.nodes.find((n) => n.member.id === referrer.id)).toMatchObject({ since: now.since, activeFriendsThen: 3 });
    expect((await hub.query('{ ambassadors { nodes { since } } }', {}, referrer.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('counts only friends who earned in the last 12 months', async () => {
    const referrer = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, referrer.id, '1.00', 'EUR');
    const old = [await friendOf(referrer), await friendOf(referrer)];
    for (const f of old) await hub.seed.earn(partner.token, f.id, '2.00', 'EUR');
    expect(await sweeper().sweepReferrals()).toBe(4);
    // Those two friends last earned 13 months ago.
    await hub.db.query('ALTER TABLE points.transactions DISABLE TRIGGER USER');
    await hub.db.query(`UPDATE points.transactions SET created_at = created_at - interval '13 months' WHERE member_id = ANY($1::uuid[])`, [old.map((f) => f.id)]);
    await hub.db.query('ALTER TABLE points.transactions ENABLE TRIGGER USER');
    const fresh = await friendOf(referrer);
    await hub.seed.earn(partner.token, fresh.id, '2.00', 'EUR');
    expect(await sweeper().sweepReferrals()).toBe(2);
    expect(await referrerBonuses(referrer.id)).toEqual(['500', '500', '500']);
    expect(await status(referrer.token)).toMatchObject({ ambassador: false, activeFriends: 1 });
  });

  it('shows the status only to the member and the admin', async () => {
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '1.00', 'EUR');
    const lookup = await hub.query<{ member: { points: { ambassador: unknown } } }>('query($id: ID!) { member(id: $id) { points { ambassador { ambassador } } } }', { id: member.id }, partner.token);
    expect(lookup.data?.member.points.ambassador ?? null).toBeNull();
    const asAdmin = await hub.must<{ member: { points: { ambassador: { ambassador: boolean } } } }>('query($id: ID!) { member(id: $id) { points { ambassador { ambassador } } } }', { id: member.id }, await hub.admin());
    expect(asAdmin.member.points.ambassador.ambassador).toBe(false);
  });
});
