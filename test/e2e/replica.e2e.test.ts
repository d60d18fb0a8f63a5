import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ensureDatabase, withDatabase } from '../../lib/src';
import { startHub, type TestHub } from '../support/hub';

/**
 * DATABASE_REPLICA_URL routes reports and exports to a replica, and nothing else. This machine cannot run a
 * streaming replica for a test, so the replica here is a frozen copy of the primary (`CREATE DATABASE …
 * TEMPLATE`) reached through a role whose transactions are read-only: a replica that stopped replaying at
 * the copy. What the hub then does after the copy lands on the primary only, so every figure tells which
 * server answered it: reports must show the copy's figures, everything else (the member's balance after
 * their own earn) the primary's, and every write must succeed (none may reach the read-only role).
 */

const suffix = `${Date.now()}_${randomBytes(3).toString('hex')}`;
const adminUrl = inject('databaseUrl');
const base = new URL(adminUrl).pathname.slice(1);
const primaryDb = `${base}_rp_${suffix}`;
const replicaDb = `${base}_rr_${suffix}`;
const replicaRole = `hub_ro_${suffix}`;
// A period holding everything this test does (reports take at most 400 days).
const FROM = new Date(Date.now() - 86_400_000).toISOString();
const TO = new Date(Date.now() + 86_400_000).toISOString();

let hub: TestHub | undefined;
let partnerId: string;
let memberId: string;
let charityId: string;

async function adminQuery(text: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const DONATE = 'mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { status } } }';

beforeAll(async () => {
  await ensureDatabase(adminUrl, primaryDb);
  const primaryUrl = withDatabase(adminUrl, primaryDb);
  const env = { DATABASE_URL: primaryUrl, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' };

  // Before the copy: a partner, a member who earns 100 points and gives 30 of them.
  const before = await startHub({ env });
  try {
    const partner = await before.seed.partner({ currency: 'NOK' });
    partnerId = partner.id;
    const member = await before.seed.member(partner.token);
    memberId = member.id;
    charityId = (await before.seed.charity()).id;
    await before.seed.earn(partner.token, memberId, '100.00', 'NOK');
    const gift = await before.query<{ donatePoints: { donation: { status: string } } }>(DONATE, { input: { charityId, points: 30, idempotencyKey: randomUUID() } }, member.token);
    expect(gift.data?.donatePoints.donation.status).toBe('CONFIRMED');
  } finally {
    await before.stop();
  }

  // The "replica": the primary as it was, read through a role that may only read.
  await adminQuery(`CREATE DATABASE "${replicaDb}" TEMPLATE "${primaryDb}"`);
  const password = randomBytes(12).toString('hex');
  await adminQuery(`CREATE ROLE "${replicaRole}" LOGIN PASSWORD '${password}'`);
  await adminQuery(`ALTER ROLE "${replicaRole}" SET default_transaction_read_only = on`);
  await adminQuery(`GRANT pg_read_all_data TO "${replicaRole}"`);
  const replicaUrl = new URL(withDatabase(adminUrl, replicaDb));
  replicaUrl.username = replicaRole;
  replicaUrl.password = password;

  hub = await startHub({ env: { ...env, DATABASE_REPLICA_URL: replicaUrl.toString() } });
  // After the copy, on the primary only: 40 more points and a second gift of 20.
  await hub.seed.earn(await hub.partnerToken(partnerId), memberId, '40.00', 'NOK');
  const gift = await hub.query<{ donatePoints: { donation: { status: string } } }>(DONATE, { input: { charityId, points: 20, idempotencyKey: randomUUID() } }, await hub.memberToken(memberId));
  expect(gift.errors).toBeUndefined();
  expect(gift.data?.donatePoints.donation.status).toBe('CONFIRMED');
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await adminQuery(`DROP DATABASE IF EXISTS "${replicaDb}" WITH (FORCE)`);
  await adminQuery(`DROP DATABASE IF EXISTS "${primaryDb}" WITH (FORCE)`);
  await adminQuery(`DROP ROLE IF EXISTS "${replicaRole}"`);
});

describe('DATABASE_REPLICA_URL', () => {
  it('keeps reads that must see the caller’s own writes on the primary: the balance counts the earn and the gift made after the copy', async () => {
    const data = await hub!.must<{ member: { points: { balance: number } } }>('query($id: ID!) { member(id: $id) { points { balance } } }', { id: memberId }, await hub!.admin());
    expect(data.member.points.balance).toBe(100 - 30 + 40 - 20);
  });

  it('reads programmeKpis from the replica on every subgraph that answers it (points, members, donations)', async () => {
    const result = await hub!.query<{ programmeKpis: { pointsEarned: string; liabilityPoints: string; newMembers: number; donations: number; donatedPoints: string } }>(
      'query($f: String!, $t: String!) { programmeKpis(from: $f, to: $t) { pointsEarned liabilityPoints newMembers donations donatedPoints } }',
      { f: FROM, t: TO },
      await hub!.admin(),
    );
    expect(result.errors).toBeUndefined();
    // The copy's figures: one earn of 100, one gift of 30, 70 outstanding (the primary has 140 earned, two gifts of 50 points, 90 outstanding).
    expect(result.data!.programmeKpis).toEqual({ pointsEarned: '100', liabilityPoints: '70', newMembers: 1, donations: 1, donatedPoints: '30' });
  });

  it('reads settlement statements and giving reports from the replica', async () => {
    const statement = await hub!.must<{ settlementStatement: { pointsIssued: string; donated: { points: string } } }>(
      'query($p: ID!, $f: String!, $t: String!) { settlementStatement(partnerId: $p, from: $f, to: $t) { pointsIssued donated { points } } }',
      { p: partnerId, f: FROM, t: TO },
      await hub!.partnerToken(partnerId),
    );
    expect(statement.settlementStatement.pointsIssued).toBe('100');
    expect(statement.settlementStatement.donated.points).toBe('30');

    const giving = await hub!.must<{ givingReport: { rows: { kind: string; count: string; points: string }[] } }>(
      'query($f: String!, $t: String!) { givingReport(from: $f, to: $t, period: MONTH) { rows { kind count points } } }',
      { f: FROM, t: TO },
      await hub!.admin(),
    );
    expect(giving.givingReport.rows.map((r) => [r.kind, r.count, r.points])).toEqual([['DONATION', '1', '30']]);
  });

  it('reads the member data export from the replica, and whether the member exists from the primary', async () => {
    const response = await fetch(new URL(`/members/${memberId}/export.json`, hub!.gatewayUrl), { headers: { authorization: `Bearer ${await hub!.memberToken(memberId)}` } });
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { points: { transactions: { kind: string; points: string }[] }; donations: { donations: unknown[] } };
    expect(doc.points.transactions.map((t) => [t.kind, t.points])).toEqual([
      ['EARN', '100'],
      ['DONATION', '-30'],
    ]);
    expect(doc.donations.donations).toHaveLength(1);
  });

  it('a replica outage fails the reports only: /readyz, balances and earns go on; reports come back with the replica', async () => {
    const KPIS = 'query($f: String!, $t: String!) { programmeKpis(from: $f, to: $t) { pointsEarned } }';
    const admin = await hub!.admin();
    await adminQuery(`ALTER ROLE "${replicaRole}" NOLOGIN`);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${replicaRole}'`);
    try {
      const refused = await hub!.query(KPIS, { f: FROM, t: TO }, admin);
      expect(refused.errors?.[0]?.extensions?.code).toBe('INTERNAL');
      expect(JSON.stringify(refused.errors)).not.toMatch(/hub_ro_|password|replica/i);
      expect((await fetch(new URL('/readyz', hub!.urls.points))).status).toBe(200);
      expect((await hub!.seed.earn(await hub!.partnerToken(partnerId), memberId, '5.00', 'NOK')).points).toBe(5);
      const data = await hub!.must<{ member: { points: { balance: number } } }>('query($id: ID!) { member(id: $id) { points { balance } } }', { id: memberId }, admin);
      expect(data.member.points.balance).toBe(100 - 30 + 40 - 20 + 5);
    } finally {
      await adminQuery(`ALTER ROLE "${replicaRole}" LOGIN`);
    }
    const back = await hub!.query<{ programmeKpis: { pointsEarned: string } }>(KPIS, { f: FROM, t: TO }, admin);
    expect(back.errors).toBeUndefined();
    expect(back.data!.programmeKpis.pointsEarned).toBe('100');
  });

  it('never writes through the replica: its connections are read-only even for a statement sent there on purpose', async () => {
    for (const name of ['members', 'points', 'partners', 'donations'] as const) {
      const running = hub!.subgraphs[name]!;
      expect(running.reportSource).not.toBe(running.dataSource);
      await expect(running.reportSource.query('CREATE TABLE replica_write_probe (id int)')).rejects.toThrow(/read-only transaction/);
    }
    // Every connection of the read-only role is on the replica's database, and named after its subgraph.
    const client = new Client({ connectionString: adminUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string; application_name: string }>(
        'SELECT DISTINCT datname, application_name FROM pg_stat_activity WHERE usename = $1 ORDER BY 2',
        [replicaRole],
      );
      expect(rows.every((r) => r.datname === replicaDb)).toBe(true);
      expect(rows.map((r) => r.application_name)).toEqual(expect.arrayContaining(['hub-donations-replica', 'hub-members-replica', 'hub-points-replica']));
    } finally {
      await client.end();
    }
  });
});
