import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceSubject, type Viewer } from '../../lib/src';
import { BonusService } from '../../subgraphs/points/src/services/bonus.service';
import { RegistrationService } from '../../subgraphs/points/src/services/registration.service';
import { type LedgerConfig } from '../../subgraphs/points/src/services/ledger.config';
import { startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';
import { until } from '../support/wait';

let hub: TestHub;
let partner: { id: string; token: string };

beforeAll(async () => {
  // A database of its own: the sweeper pays every new account in it, and counts are exactly this file's.
  hub = await startHub({ isolatedDatabase: true, env: { MARKETING_POINT_PRICE: '0.004' } });
  partner = await hub.seed.partner({ currency: 'EUR', earnRate: '10' });
});
afterAll(async () => hub?.stop());

const config = (welcomePoints: number, more: Partial<LedgerConfig['bonuses']> = {}): LedgerConfig =>
  ({
    expiryMonths: 24,
    coalition: { timeZone: 'Europe/Oslo', currency: 'EUR', marketingPointPrice: '0.004', cashoutPointValue: '0.005', cashoutMinimumPoints: 1000, debtor: { name: 'x', iban: 'x', bic: null } },
    bonuses: { welcomePoints, welcomeWindowDays: 30, referral: { friendPoints: 0, referrerPoints: 0, referrerYearlyCap: 10 }, birthdayPoints: 0, birthdayOn: 'MONTH', ...more },
  }) as LedgerConfig;
const sweeper = (welcomePoints = 75, more: Partial<LedgerConfig['bonuses']> = {}) => new BonusService(hub.subgraphs.points!.dataSource, config(welcomePoints, more));
const bonuses = async (memberId: string, kind = 'WELCOME') =>
  (
    await hub.db.query(
      `SELECT t.points, t.partner_id, t.unit_price, w.kind AS award, w.funded_by FROM points.transactions t JOIN points.transaction_awards w ON w.transaction_id = t.id
        WHERE t.member_id = $1 AND t.kind = 'BONUS' AND w.kind = $2`,
      [memberId, kind],
    )
  ).rows;


/** The ledger's registration of a member (sent by the members subgraph's relay right after enrolment). */
const registration = (memberId: string) =>
  until(
    'the registration',
    async () => (await hub.db.query('SELECT version, enrolled_by_partner_id, referred_by, birth_month, birth_day FROM points.member_registrations WHERE member_id = $1', [memberId])).rows[0],
    (r) => r !== undefined,
  );

const referralCodeOf = async (memberId: string) => (await hub.db.query('SELECT referral_code FROM members.members WHERE id = $1', [memberId])).rows[0].referral_code as string;
/** Every sweeper round until nothing is left, two sweepers at once, small batches so that they overlap. */
async function sweepWithTwo(): Promise<number> {
  const [a, b] = [sweeper(), sweeper()];
  let total = 0;
  for (;;) {
    const [x, y] = await Promise.all([a.sweepWelcome(5), b.sweepWelcome(5)]);
    total += x + y;
    if (x + y === 0) return total;
  }
}

describe('welcome bonus', () => {
  it('pays each member whose points account opens one welcome bonus from the marketing budget, once, even with two sweepers at once', async () => {
    const members = await Promise.all(Array.from({ length: 24 }, () => hub.seed.member(partner.token)));
    for (const m of members) await hub.seed.earn(partner.token, m.id, '1.00', 'EUR');
    expect(await sweepWithTwo()).toBe(24);
    for (const m of members) {
      expect(await bonuses(m.id)).toEqual([{ points: '75', partner_id: null, unit_price: '0.004000', award: 'WELCOME', funded_by: null }]);
    }
    const balance = (await hub.db.query(`SELECT balance FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [members[0].id])).rows[0].balance;
    expect(balance).toBe('85');
    expect(await sweepWithTwo()).toBe(0);
    const marketing = (await hub.db.query(`SELECT -sum(p.amount)::int AS n FROM points.postings p JOIN points.accounts a ON a.id = p.account_id WHERE a.kind = 'COALITION_MARKETING'`)).rows[0].n;
    expect(marketing).toBe(24 * 75);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('pays nothing when turned off, nor for accounts opened before the window', async () => {
    const [fresh, old] = await Promise.all([hub.seed.member(partner.token), hub.seed.member(partner.token)]);
    await hub.seed.earn(partner.token, fresh.id, '1.00', 'EUR');
    await hub.seed.earn(partner.token, old.id, '1.00', 'EUR');
    expect(await sweeper(0).sweepWelcome()).toBe(0);
    expect(await bonuses(fresh.id)).toEqual([]);
    await hub.db.query(`UPDATE points.accounts SET created_at = now() - interval '31 days' WHERE kind = 'MEMBER' AND owner_id = $1`, [old.id]);
    expect(await sweepWithTwo()).toBe(1);
    expect(await bonuses(fresh.id)).toHaveLength(1);
    expect(await bonuses(old.id)).toEqual([]);
  });
});

describe('member registration', () => {
  it("the ledger hears of a new member at once: points account open, the enrolling partner, the referrer, the birthday (no year); a changed birth date follows; erasure-like replays change nothing", async () => {
    const referrer = await hub.seed.member(partner.token);
    const m = await hub.seed.member(partner.token, { birthDate: '1990-07-14', referralCode: await referralCodeOf(referrer.id) });
    expect(await registration(m.id)).toEqual({ version: 1, enrolled_by_partner_id: partner.id, referred_by: referrer.id, birth_month: 7, birth_day: 14 });
    const account = await hub.db.query(`SELECT balance FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [m.id]);
    expect(account.rows).toEqual([{ balance: '0' }]);
    await hub.must('mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { member { id } } }', { input: { birthDate: '1990-12-01' } }, m.token);
    await until('the new birthday', () => registration(m.id), (r) => r.birth_month === 12);
    expect(await registration(m.id)).toMatchObject({ version: 2, birth_month: 12, birth_day: 1, referred_by: referrer.id });
    // An older version arriving late (a retry from before the change) changes nothing.
    const points = hub.subgraphs.points!;
    const service = new RegistrationService(points.dataSource, config(0));
    const membersService = { subject: serviceSubject('members'), service: true, scopes: new Set(['ledger:members']), token: '' } as unknown as Viewer;
    expect(await service.register(membersService, [{ memberId: m.id, version: 1, enrolledAt: new Date().toISOString(), birthMonth: 7, birthDay: 14 }])).toBe(0);
    expect(await registration(m.id)).toMatchObject({ version: 2, birth_month: 12 });
  });

  it('refuses registrations from anyone but the members service, naming bad fields', async () => {
    const raw = await hub.query('mutation { registerMembers(input: { members: [] }) { registered } }', {}, await hub.admin(), 'points');
    expect(raw.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('welcome bonus rules', () => {
  it("a partner's welcome rule pays members it enrolls (rule id on the award); others get the coalition's; setting it is admin-only", async () => {
    const other = await hub.seed.partner({ currency: 'EUR', earnRate: '10' });
    const SET = 'mutation($input: SetWelcomeBonusInput!) { setWelcomeBonus(input: $input) { rule { id partnerId points } } }';
    const refused = await hub.query(SET, { input: { partnerId: other.id, points: 300 } }, other.token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await hub.query(SET, { input: { points: -1 } }, await hub.admin());
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'points' });
    const rule = (await hub.must<{ setWelcomeBonus: { rule: { id: string } } }>(SET, { input: { partnerId: other.id, points: 300 } }, await hub.admin())).setWelcomeBonus.rule;
    const [atOther, atFirst] = [await hub.seed.member(other.token), await hub.seed.member(partner.token)];
    await Promise.all([registration(atOther.id), registration(atFirst.id)]);
    await sweepWithTwo();
    expect(await bonuses(atOther.id)).toEqual([{ points: '300', partner_id: null, unit_price: '0.004000', award: 'WELCOME', funded_by: null }]);
    expect(await bonuses(atFirst.id)).toEqual([{ points: '75', partner_id: null, unit_price: '0.004000', award: 'WELCOME', funded_by: null }]);
    const ruleIds = await hub.db.query(`SELECT w.rule_id FROM points.transaction_awards w JOIN points.transactions t ON t.id = w.transaction_id WHERE t.member_id = $1`, [atOther.id]);
    expect(ruleIds.rows).toEqual([{ rule_id: rule.id }]);
    const listed = await hub.must<{ welcomeBonuses: { defaultPoints: number; rules: { partnerId: string | null; points: number }[] } }>(
      '{ welcomeBonuses { defaultPoints rules { partnerId points } } }',
      {},
      await hub.admin(),
    );
    expect(listed.welcomeBonuses.rules).toContainEqual({ partnerId: other.id, points: 300 });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});

describe('referral bonus', () => {
  const referral = { friendPoints: 200, referrerPoints: 500, referrerYearlyCap: 2 };
  const referralSweeper = () => sweeper(0, { referral });

  it('pays the friend and the referrer once, after the friend\'s first earn that stands, from the marketing budget, even with two sweepers at once', async () => {
    const referrer = await hub.seed.member(partner.token);
    const friend = await hub.seed.member(partner.token, { referralCode: await referralCodeOf(referrer.id) });
    await registration(friend.id);
    expect(await referralSweeper().sweepReferrals()).toBe(0);
    await hub.seed.earn(partner.token, friend.id, '3.00', 'EUR');
    const [a, b] = [referralSweeper(), referralSweeper()];
    const paid = (await Promise.all([a.sweepReferrals(), b.sweepReferrals()])).reduce((x, y) => x + y, 0);
    expect(paid).toBe(2);
    expect(await referralSweeper().sweepReferrals()).toBe(0);
    expect(await bonuses(friend.id, 'REFERRAL')).toEqual([{ points: '200', partner_id: null, unit_price: '0.004000', award: 'REFERRAL', funded_by: null }]);
    expect(await bonuses(referrer.id, 'REFERRAL')).toEqual([{ points: '500', partner_id: null, unit_price: '0.004000', award: 'REFERRAL', funded_by: null }]);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('looks at a referral only when signalled: by the registration, by an earn while it is open, by a registration after the earn', async () => {
    const signals = async (memberId: string) => (await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM points.referral_checks WHERE member_id = $1', [memberId])).rows[0].n;
    const referrer = await hub.seed.member(partner.token);
    const friend = await hub.seed.member(partner.token, { referralCode: await referralCodeOf(referrer.id) });
    await registration(friend.id);
    expect(await signals(friend.id)).toBe(1);
    // Looked at, nothing due: the signal goes, and later sweeps do not look at this member again.
    expect(await referralSweeper().sweepReferrals()).toBe(0);
    expect(await signals(friend.id)).toBe(0);
    await hub.seed.earn(partner.token, friend.id, '3.00', 'EUR');
    expect(await signals(friend.id)).toBe(1);
    expect(await referralSweeper().sweepReferrals()).toBe(2);
    expect(await signals(friend.id)).toBe(0);
    // Settled: the friend's next earns signal nothing.
    await hub.seed.earn(partner.token, friend.id, '3.00', 'EUR');
    expect(await signals(friend.id)).toBe(0);

    // The earn came before the ledger heard of the referral (the registration arrives late): the registration signals.
    const late = await hub.seed.member(partner.token, { referralCode: await referralCodeOf(referrer.id) });
    const registered = await registration(late.id);
    await hub.db.query('DELETE FROM points.referral_checks WHERE member_id = $1', [late.id]);
    await hub.db.query('DELETE FROM points.member_registrations WHERE member_id = $1', [late.id]);
    await hub.seed.earn(partner.token, late.id, '3.00', 'EUR');
    expect(await signals(late.id)).toBe(0);
    const membersService = { subject: serviceSubject('members'), service: true, scopes: new Set(['ledger:members']), token: '' } as unknown as Viewer;
    await new RegistrationService(hub.subgraphs.points!.dataSource, config(0)).register(membersService, [
      { memberId: late.id, version: registered.version, enrolledAt: new Date().toISOString(), enrolledByPartnerId: partner.id, referredBy: referrer.id },
    ]);
    expect(await signals(late.id)).toBe(1);
    expect(await referralSweeper().sweepReferrals()).toBe(2);
    expect(await bonuses(late.id, 'REFERRAL')).toHaveLength(1);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('a reversed first earn does not count; the referrer is paid for at most the yearly cap of friends, the friends always', async () => {
    const referrer = await hub.seed.member(partner.token);
    const code = await referralCodeOf(referrer.id);
    const friends = [await hub.seed.member(partner.token, { referralCode: code }), await hub.seed.member(partner.token, { referralCode: code }), await hub.seed.member(partner.token, { referralCode: code })];
    await Promise.all(friends.map((f) => registration(f.id)));
    const first = await hub.seed.earn(partner.token, friends[0].id, '3.00', 'EUR');
    await hub.must('mutation($i: ReverseTransactionInput!) { reverseTransaction(input: $i) { transaction { id } } }', { i: { transactionId: first.id, idempotencyKey: `rev-${first.id}` } }, partner.token);
    expect(await referralSweeper().sweepReferrals()).toBe(0);
    for (const f of friends) await hub.seed.earn(partner.token, f.id, '2.00', 'EUR');
    expect(await referralSweeper().sweepReferrals()).toBe(3 + 2);
    for (const f of friends) expect(await bonuses(f.id, 'REFERRAL')).toHaveLength(1);
    expect(await bonuses(referrer.id, 'REFERRAL')).toHaveLength(2);
    const settled = await hub.db.query('SELECT count(*)::int AS n FROM points.referral_bonuses WHERE referrer_id = $1 AND referrer_transaction_id IS NULL', [referrer.id]);
    expect(settled.rows[0].n).toBe(1);
  });
});

describe('birthday bonus', () => {
  it('pays members in their birthday month once a year, even with two sweepers at once; nobody else', async () => {
    const now = new Date();
    const month = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Oslo', month: 'numeric' }).format(now));
    const other = (month % 12) + 1;
    const pad = (n: number) => String(n).padStart(2, '0');
    const born = await Promise.all(Array.from({ length: 6 }, () => hub.seed.member(partner.token, { birthDate: `1985-${pad(month)}-10` })));
    const notYet = await hub.seed.member(partner.token, { birthDate: `1985-${pad(other)}-10` });
    await Promise.all([...born, notYet].map((m) => registration(m.id)));
    const birthdaySweeper = () => sweeper(0, { birthdayPoints: 150, birthdayOn: 'MONTH' });
    let paid = 0;
    const [a, b] = [birthdaySweeper(), birthdaySweeper()];
    for (;;) {
      const [x, y] = await Promise.all([a.sweepBirthdays(now, 2), b.sweepBirthdays(now, 2)]);
      paid += x + y;
      if (x + y === 0) break;
    }
    expect(paid).toBeGreaterThanOrEqual(6);
    for (const m of born) expect(await bonuses(m.id, 'BIRTHDAY')).toEqual([{ points: '150', partner_id: null, unit_price: '0.004000', award: 'BIRTHDAY', funded_by: null }]);
    expect(await bonuses(notYet.id, 'BIRTHDAY')).toEqual([]);
    expect(await birthdaySweeper().sweepBirthdays(now)).toBe(0);
    // Turned off: nothing, even for a member whose birthday it is.
    expect(await sweeper(0).sweepBirthdays(now)).toBe(0);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('on the day: only members born that day', async () => {
    const at = new Date('2027-03-05T12:00:00Z');
    const [today, tomorrow] = [await hub.seed.member(partner.token, { birthDate: '1970-03-05' }), await hub.seed.member(partner.token, { birthDate: '1970-03-06' })];
    await Promise.all([registration(today.id), registration(tomorrow.id)]);
    expect(await sweeper(0, { birthdayPoints: 40, birthdayOn: 'DAY' }).sweepBirthdays(at)).toBe(1);
    expect(await bonuses(today.id, 'BIRTHDAY')).toHaveLength(1);
    expect(await bonuses(tomorrow.id, 'BIRTHDAY')).toEqual([]);
  });
});
