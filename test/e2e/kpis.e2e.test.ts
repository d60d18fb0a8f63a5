import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceService } from '../../subgraphs/points/src/services/maintenance.service';
import { createLogger } from '../../lib/src';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient } from '../support/ledger';

/**
 * Programme KPIs on a database of their own, so the coalition's figures are exactly this test's activity.
 * The figures come from three subgraphs through one federated entity: points (the ledger), members
 * (enrolled, closed) and donations (pledges, donations).
 */

let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;

type Partner = { id: string; token: string; currency: string };
let grocer: Partner;
let fuel: Partner;
/** Between the earns and the redemption: the end of a period that saw only the earns. */
let afterEarns: string;

const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
const FROM = monthStart.toISOString();
const TO = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1)).toISOString();

const FIELDS = `id from to partner { id } activeMembers newMembers closedMembers pointsEarned pointsEarnedValue { currency amount exact }
  pointsBurned pointsBurnedValue { currency amount exact } pointsExpired redemptionRate breakageRate liabilityPoints
  costPerPointIssued { currency amount exact } donations donatedPoints pledged { currency amount }`;
const KPIS = `query($from: String!, $to: String!, $partnerId: ID) { programmeKpis(from: $from, to: $to, partnerId: $partnerId) { ${FIELDS} byMonth { ${FIELDS} } } }`;

interface Value {
  currency: string;
  amount: string;
  exact: string;
}
interface Kpis {
  id: string;
  from: string;
  to: string;
  partner: { id: string } | null;
  activeMembers: number;
  newMembers: number;
  closedMembers: number;
  pointsEarned: string;
  pointsEarnedValue: Value[];
  pointsBurned: string;
  pointsBurnedValue: Value[];
  pointsExpired: string;
  redemptionRate: string;
  breakageRate: string;
  liabilityPoints: string;
  costPerPointIssued: Value[];
  donations: number | null;
  donatedPoints: string | null;
  pledged: { currency: string; amount: string }[];
  byMonth: Kpis[];
}

async function createPartner(name: string, currency: string, issuePrice: string, reimbursement: string): Promise<Partner> {
  const data = await hub.must<{ createPartner: { partner: { id: string } } }>(
    'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
    { input: { name: `${name} ${randomUUID()}`, currency, earnRate: '1', issuePrice: { amount: issuePrice, currency }, reimbursement: { amount: reimbursement, currency } } },
    await hub.admin(),
  );
  const id = data.createPartner.partner.id;
  return { id, currency, token: await hub.partnerToken(id) };
}

async function kpis(token: string, variables: Record<string, unknown>) {
  return hub.query<{ programmeKpis: Kpis }>(KPIS, variables, token);
}

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' } });
  ledger = ledgerClient(hub);
  grocer = await createPartner('Grocer', 'NOK', '0.05', '0.04');
  fuel = await createPartner('Fuel', 'SEK', '0.10', '0.08');
  // Three members enrolled by the grocer, one by the fuel station.
  const [m1, m2, m3] = await Promise.all([1, 2, 3].map(() => hub.seed.member(grocer.token)));
  const m4 = await hub.seed.member(fuel.token);
  await hub.seed.earn(grocer.token, m1.id, '100.00', 'NOK'); // 100 points at 0.05 NOK
  await hub.seed.earn(grocer.token, m2.id, '50.00', 'NOK'); // 50 points
  await hub.seed.earn(fuel.token, m3.id, '20.00', 'SEK'); // 20 points at 0.10 SEK
  await hub.seed.earn(fuel.token, m4.id, '30.00', 'SEK'); // 30 points: expire below
  afterEarns = new Date(Date.now() + 5).toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  // The fuel station honours 40 of the grocer's points (reimbursed at 0.08 SEK).
  const redeem = await ledger.redeem(fuel.token, m1.id, 40, await ledger.code(m1.token));
  expect(redeem.errors).toBeUndefined();
  // m4's 30 points expire (breakage of the fuel station's points).
  await hub.db.query(`UPDATE points.lots SET expires_at = now() - interval '1 second' WHERE account_id = (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1)`, [m4.id]);
  expect(await new MaintenanceService(hub.subgraphs.points!.dataSource, createLogger('test', 'silent')).expireLots()).toBe(30);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

describe('programmeKpis', () => {
  it('gives the admin the coalition figures, from the ledger, the members and the donations subgraphs, and the month', async () => {
    const r = await kpis(await hub.admin(), { from: FROM, to: TO });
    expect(r.errors).toBeUndefined();
    const k = r.data!.programmeKpis;
    const { byMonth, ...total } = k;
    expect(total).toEqual({
      id: `${FROM}~${TO}~coalition`,
      from: FROM,
      to: TO,
      partner: null,
      activeMembers: 4,
      newMembers: 4,
      closedMembers: 0,
      pointsEarned: '200',
      pointsEarnedValue: [
        { currency: 'NOK', amount: '7.50', exact: '7.500000' },
        { currency: 'SEK', amount: '5.00', exact: '5.000000' },
      ],
      pointsBurned: '40',
      pointsBurnedValue: [{ currency: 'SEK', amount: '3.20', exact: '3.200000' }],
      pointsExpired: '30',
      redemptionRate: '0.2',
      breakageRate: '0.15',
      liabilityPoints: '130',
      costPerPointIssued: [
        { currency: 'NOK', amount: '0.05', exact: '0.050000' },
        { currency: 'SEK', amount: '0.10', exact: '0.100000' },
      ],
      donations: 0,
      donatedPoints: '0',
      pledged: [],
    });
    // One month: the same figures, with the month's own id, and no months of its own.
    expect(byMonth).toEqual([total]);
  });

  it("gives a partner its own figures: its earns, its redemptions, its lots, the members it enrolled", async () => {
    const r = await kpis(grocer.token, { from: FROM, to: TO, partnerId: grocer.id });
    expect(r.errors).toBeUndefined();
    const k = r.data!.programmeKpis;
    expect(k).toMatchObject({
      partner: { id: grocer.id },
      activeMembers: 2,
      newMembers: 3,
      pointsEarned: '150',
      pointsEarnedValue: [{ currency: 'NOK', amount: '7.50', exact: '7.500000' }],
      pointsBurned: '0',
      pointsBurnedValue: [],
      pointsExpired: '0',
      redemptionRate: '0',
      // 40 of the grocer's 150 points were honoured at the fuel station.
      liabilityPoints: '110',
      costPerPointIssued: [{ currency: 'NOK', amount: '0.05', exact: '0.050000' }],
      donations: null,
      donatedPoints: null,
    });
    // partnerId omitted: a partner gets its own.
    expect((await kpis(grocer.token, { from: FROM, to: TO })).data!.programmeKpis.id).toBe(k.id);
    const f = (await kpis(fuel.token, { from: FROM, to: TO, partnerId: fuel.id })).data!.programmeKpis;
    expect(f).toMatchObject({ activeMembers: 3, newMembers: 1, pointsEarned: '50', pointsBurned: '40', pointsExpired: '30', redemptionRate: '0.8', breakageRate: '0.6', liabilityPoints: '20' });
  });

  it("counts liability at the period's end, not now", async () => {
    const r = await kpis(await hub.admin(), { from: FROM, to: afterEarns });
    expect(r.errors).toBeUndefined();
    expect(r.data!.programmeKpis).toMatchObject({ pointsEarned: '200', pointsBurned: '0', pointsExpired: '0', liabilityPoints: '200' });
    const grocerThen = await kpis(await hub.admin(), { from: FROM, to: afterEarns, partnerId: grocer.id });
    expect(grocerThen.data!.programmeKpis.liabilityPoints).toBe('150');
  });

  it("answers another partner's figures exactly as a missing partner's", async () => {
    const other = await kpis(grocer.token, { from: FROM, to: TO, partnerId: fuel.id });
    const missing = await kpis(grocer.token, { from: FROM, to: TO, partnerId: randomUUID() });
    const adminMissing = await kpis(await hub.admin(), { from: FROM, to: TO, partnerId: randomUUID() });
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(other.data).toBeNull();
    for (const r of [missing, adminMissing]) {
      expect(r.data).toEqual(other.data);
      expect(r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code }))).toEqual(other.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })));
    }
  });

  it('refuses a partner without reports:read, a member, and the coalition to a partner', async () => {
    const noReports = await hub.partnerToken(grocer.id, 'points:earn');
    expect((await kpis(noReports, { from: FROM, to: TO, partnerId: grocer.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await kpis(await hub.memberToken(randomUUID()), { from: FROM, to: TO })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await kpis(await hub.admin(), { from: TO, to: FROM });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it("does not give a partner another partner's member counts or giving through _entities", async () => {
    const id = `${FROM}~${TO}~${fuel.id}`;
    for (const target of ['members', 'donations', 'points'] as const) {
      const r = await hub.query<{ _entities: unknown[] }>('query($r: [_Any!]!) { _entities(representations: $r) { ... on ProgrammeKpis { id } } }', { r: [{ __typename: 'ProgrammeKpis', id }] }, grocer.token, target);
      expect(r.data?._entities).toEqual([null]);
    }
  });

  it('downloads the KPIs as CSV: the period and each month', async () => {
    const url = `${new URL('/reports/kpis.csv', hub.gatewayUrl).toString()}?${new URLSearchParams({ partnerId: grocer.id, from: FROM, to: TO }).toString()}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${grocer.token}` } });
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'scope,period,from,to,active_members,new_members,closed_members,points_earned,points_earned_value,points_burned,points_burned_value,points_expired,redemption_rate,breakage_rate,liability_points,cost_per_point_issued,donations,donated_points,pledged',
    );
    expect(lines.slice(1)).toEqual([
      `${grocer.id},total,${FROM},${TO},2,3,0,150,7.50 NOK,0,,0,0,0,110,0.05 NOK,,,`,
      `${grocer.id},${FROM.slice(0, 7)},${FROM},${TO},2,3,0,150,7.50 NOK,0,,0,0,0,110,0.05 NOK,,,`,
    ]);
    const other = await fetch(url.replace(grocer.id, fuel.id), { headers: { authorization: `Bearer ${grocer.token}` } });
    expect(other.status).toBe(404);
  });
});
