import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/src';
import { MaintenanceService } from '../../subgraphs/points/src/services/maintenance.service';
import { count, startHub, type TestHub } from '../support/hub';

/**
 * member.tier_changed when qualifying points age out of the 12-month window: no earn or reversal happens,
 * so the tier trigger cannot see it; the sweeper's monthly check does, once per member and month, on any
 * number of instances. A database of its own: tiers are global. The "twelve months ago" is made by moving a
 * member's qualifying bucket to the month that left the window (the trigger fires on points, not months).
 */

let hub: TestHub;
let server: Server;
const delivered: { id: string; type: string; data: Record<string, unknown> }[] = [];
let receiverUrl = '';

const TIERS = 'mutation($i: ConfigureTiersInput!) { configureTiers(input: $i) { tiers { name } } }';
const NOTICES = 'query($id: ID!) { _entities(representations: [{ __typename: "Member", id: $id }]) { ... on Member { notices { type data } } } }';

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { WEBHOOK_DELIVERY_INTERVAL_MS: '50', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' } });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data: Record<string, unknown> };
      delivered.push({ id: String(req.headers['webhook-id']), type: event.type, data: event.data });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  await hub.must(TIERS, { i: { tiers: [{ name: 'Blue', threshold: 0, multiplier: '1' }, { name: 'Silver', threshold: 500, multiplier: '1' }, { name: 'Gold', threshold: 1000, multiplier: '1' }] } }, await hub.admin());
});

afterAll(async () => {
  await hub?.stop();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

/**
 * Moves all of the member's qualifying points to the month that left the window at this month's start. Unless
 * `retained`, the tier reached with them is no longer kept either (tier retention: a tier lasts until the end
 * of the next year; a year-old earn's tier would still be kept, so its retention is taken away here).
 */
async function ageOut(memberId: string, retained = false): Promise<void> {
  await hub.db.query(
    `UPDATE points.qualifying_points SET month = (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date WHERE member_id = $1`,
    [memberId],
  );
  if (!retained) await hub.db.query('DELETE FROM points.tier_status WHERE member_id = $1', [memberId]);
}

/** Adds a bucket of `points` qualifying points `monthsAgo` months back for the member (inside the window when < 12). */
async function bucket(memberId: string, monthsAgo: number, points: number): Promise<void> {
  await hub.db.query(
    `INSERT INTO points.qualifying_points (member_id, month, points) VALUES ($1, (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => $2))::date, $3)`,
    [memberId, monthsAgo, points],
  );
}

describe('tier decay notices', () => {
  it('writes member.tier_changed once when aged-out points drop the tier, with two sweepers at once; Member.notices lists it and the consenting member’s partner gets it once', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    await hub.must('mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }', { input: { url: receiverUrl, events: ['member.tier_changed'] } }, partner.token);
    // Falls: 1,200 points a year ago (Gold) and 600 kept: Silver now.
    const falls = await hub.seed.member(partner.token);
    await hub.must('mutation { setConsents(input: { partnerDataSharing: true }) { __typename } }', {}, falls.token);
    await hub.seed.earn(partner.token, falls.id, '1200.00', 'NOK');
    await ageOut(falls.id);
    await bucket(falls.id, 2, 600);
    // Stays: 300 aged out, 1,100 kept: Gold either way.
    const stays = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, stays.id, '300.00', 'NOK');
    await ageOut(stays.id);
    await bucket(stays.id, 11, 1100);
    // Aged out, but the Gold reached with them is still kept (retention): its tier did not fall.
    const kept = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, kept.id, '1200.00', 'NOK');
    await ageOut(kept.id, true);
    // Nothing aged out: not looked at.
    const fresh = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, fresh.id, '1500.00', 'NOK');

    const logger = createLogger('test', 'silent');
    const sweepers = [new MaintenanceService(hub.subgraphs.points!.dataSource, logger), new MaintenanceService(hub.subgraphs.points!.dataSource, logger)];
    const written = await Promise.all(sweepers.map((s) => s.noticeTierDecay()));
    expect(written.sort()).toEqual([0, 1]);
    // Later sweeps this month: the check is done.
    expect(await sweepers[0].noticeTierDecay()).toBe(0);
    expect(await count(hub.db, 'points.tier_decay_checks', 'checked_at IS NOT NULL')).toBe(1);

    const aged = `notice_key LIKE 'member.tier_changed:aged:%'`;
    expect(await count(hub.db, 'points.member_notices', `${aged} AND member_id = $1`, [falls.id])).toBe(1);
    expect(await count(hub.db, 'points.member_notices', `${aged} AND member_id = ANY($1::uuid[])`, [[stays.id, fresh.id, kept.id]])).toBe(0);

    const mine = await hub.query<{ _entities: { notices: { type: string; data: Record<string, unknown> }[] }[] }>(NOTICES, { id: falls.id }, falls.token, 'points');
    expect(mine.data?._entities[0].notices[0]).toEqual({
      type: 'member.tier_changed',
      data: { memberId: falls.id, from: 'Gold', to: 'Silver', qualifyingPoints: 600, reason: 'QUALIFYING_POINTS_AGED_OUT' },
    });

    const deadline = Date.now() + 10_000;
    while (!delivered.some((d) => d.data.reason === 'QUALIFYING_POINTS_AGED_OUT') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const decays = delivered.filter((d) => d.data.reason === 'QUALIFYING_POINTS_AGED_OUT');
    expect(decays.map((d) => [d.type, d.data.memberId, d.data.from, d.data.to])).toEqual([['member.tier_changed', falls.id, 'Gold', 'Silver']]);
  });

  it('looks again next month only: a month already checked writes nothing new, even for a member whose points age out later', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const late = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, late.id, '1000.00', 'NOK');
    await ageOut(late.id);
    // This month was checked by the test before (or is checked now): the late mover waits for next month's check.
    await new MaintenanceService(hub.subgraphs.points!.dataSource, createLogger('test', 'silent')).noticeTierDecay();
    const before = await count(hub.db, 'points.member_notices', `notice_key LIKE 'member.tier_changed:aged:%' AND member_id = $1`, [late.id]);
    // A fresh month row (what the first sweep of next month sees) picks it up, once.
    await hub.db.query(`DELETE FROM points.tier_decay_checks`);
    const sweeper = new MaintenanceService(hub.subgraphs.points!.dataSource, createLogger('test', 'silent'));
    await sweeper.noticeTierDecay();
    await sweeper.noticeTierDecay();
    const after = await count(hub.db, 'points.member_notices', `notice_key LIKE 'member.tier_changed:aged:%' AND member_id = $1`, [late.id]);
    expect([before, after]).toEqual([0, 1]);
  });
});
