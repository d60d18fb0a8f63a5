import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';

/**
 * Tier rules members understand, on a database of its own (the tier table is the coalition's): a tier
 * reached lasts until the end of the next calendar year, then steps down one level per year; a refunded
 * reach is undone; an admin override wins until its end. Each is checked on `Member.points.tier` and on the
 * price of the next earn (the earn reads the effective tier with its pricing context).
 */

let hub: TestHub;
let shop: { id: string; token: string };

const TIER = '{ me { points { tier { name multiplier qualifyingPoints keptBy tierEndsAt pointsToKeep qualifyingTier overrideReason nextTier pointsToNextTier } } } }';
type TierView = {
  name: string;
  multiplier: string;
  qualifyingPoints: string;
  keptBy: string;
  tierEndsAt: string | null;
  pointsToKeep: string;
  qualifyingTier: string;
  overrideReason: string | null;
  nextTier: string | null;
  pointsToNextTier: string;
};
const year = new Date().getUTCFullYear();
const jan1 = (y: number) => new Date(Date.UTC(y, 0, 1)).toISOString();

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true });
  shop = await hub.seed.partner({ currency: 'EUR', earnRate: '1' });
  await hub.must(
    'mutation($i: ConfigureTiersInput!) { configureTiers(input: $i) { tiers { name } } }',
    { i: { tiers: [{ name: 'Blue', threshold: 0, multiplier: '1' }, { name: 'Silver', threshold: 1000, multiplier: '1.5' }, { name: 'Gold', threshold: 5000, multiplier: '2' }] } },
    await hub.admin(),
  );
});
afterAll(async () => hub?.stop());

const tierOf = async (token: string) => (await hub.must<{ me: { points: { tier: TierView } } }>(TIER, {}, token)).me.points.tier;
/** Moves the member's qualifying months back 13 months: their qualifying points fall to 0, as after a quiet year. */
const quietYear = (memberId: string) =>
  hub.db.query(`UPDATE points.qualifying_points SET month = (month - interval '13 months')::date WHERE member_id = $1`, [memberId]);
const setRetention = (memberId: string, until: string) => hub.db.query('UPDATE points.tier_status SET retained_until = $2 WHERE member_id = $1', [memberId, until]);

describe('retention', () => {
  it('keeps Gold until the end of next year after the qualifying points fall, and the earn is priced at Gold', async () => {
    const member = await hub.seed.member(shop.token);
    await hub.seed.earn(shop.token, member.id, '5000.00', 'EUR');
    expect(await tierOf(member.token)).toMatchObject({ name: 'Gold', keptBy: 'QUALIFYING', tierEndsAt: jan1(year + 2), pointsToKeep: '0', qualifyingTier: 'Gold' });

    await quietYear(member.id);
    expect(await tierOf(member.token)).toEqual({
      name: 'Gold',
      multiplier: '2',
      qualifyingPoints: '0',
      keptBy: 'RETENTION',
      tierEndsAt: jan1(year + 2),
      pointsToKeep: '5000',
      qualifyingTier: 'Blue',
      overrideReason: null,
      nextTier: null,
      pointsToNextTier: '0',
    });
    expect((await hub.seed.earn(shop.token, member.id, '100.00', 'EUR')).points).toBe(200);
  });

  it('steps down one level per calendar year once retention has ended', async () => {
    const member = await hub.seed.member(shop.token);
    await hub.seed.earn(shop.token, member.id, '5000.00', 'EUR');
    await quietYear(member.id);
    // Retention ended on 1 January this year: Silver (one level down) until the end of this year.
    await setRetention(member.id, jan1(year));
    expect(await tierOf(member.token)).toMatchObject({ name: 'Silver', keptBy: 'RETENTION', tierEndsAt: jan1(year + 1), pointsToKeep: '1000' });
    expect((await hub.seed.earn(shop.token, member.id, '100.00', 'EUR')).points).toBe(150);
    // Ended a year earlier: two levels down, the lowest tier.
    await setRetention(member.id, jan1(year - 1));
    expect(await tierOf(member.token)).toMatchObject({ name: 'Blue', keptBy: 'QUALIFYING', tierEndsAt: null });
    expect((await hub.seed.earn(shop.token, member.id, '100.00', 'EUR')).points).toBe(100);
  });

  it('requalifying at the kept level keeps it until the end of next year again', async () => {
    const member = await hub.seed.member(shop.token);
    await hub.seed.earn(shop.token, member.id, '5000.00', 'EUR');
    await quietYear(member.id);
    await setRetention(member.id, jan1(year));
    // Silver kept by retention this year; 1000 qualifying points reach Silver again.
    await hub.seed.earn(shop.token, member.id, '700.00', 'EUR'); // 700 × 1.5 = 1050
    expect(await tierOf(member.token)).toMatchObject({ name: 'Silver', keptBy: 'QUALIFYING', tierEndsAt: jan1(year + 2) });
  });

  it('announces member.tier_changed against the tier kept, not the qualifying one (the earn’s own trigger)', async () => {
    const member = await hub.seed.member(shop.token);
    const changes = async () =>
      (
        await hub.db.query<{ from: string; to: string }>(
          `SELECT payload->>'from' AS "from", payload->>'to' AS "to" FROM points.member_notices WHERE member_id = $1 AND type = 'member.tier_changed' ORDER BY created_at, id`,
          [member.id],
        )
      ).rows;
    await hub.seed.earn(shop.token, member.id, '5000.00', 'EUR');
    expect(await changes()).toEqual([{ from: 'Blue', to: 'Gold' }]);
    await quietYear(member.id);
    // Retention keeps Gold: reaching Silver's qualifying points changes nothing the member holds.
    await hub.seed.earn(shop.token, member.id, '600.00', 'EUR'); // 600 × 2 (kept Gold) = 1200
    expect(await changes()).toHaveLength(1);
    // Retention ended on 1 January: Silver is kept this year; 700 × 1.5 = 1050 more reaches Silver again, no change.
    await quietYear(member.id);
    await setRetention(member.id, jan1(year));
    await hub.seed.earn(shop.token, member.id, '700.00', 'EUR');
    expect(await changes()).toHaveLength(1);
    // 3000 × 1.5 = 4500 more: 5550 qualifying points reach Gold, a change from the Silver kept.
    await hub.seed.earn(shop.token, member.id, '3000.00', 'EUR');
    expect(await changes()).toEqual([
      { from: 'Blue', to: 'Gold' },
      { from: 'Silver', to: 'Gold' },
    ]);
  });

  it('undoes a reach whose earn is refunded: a tier bought and refunded is not kept', async () => {
    const member = await hub.seed.member(shop.token);
    const big = await hub.seed.earn(shop.token, member.id, '5000.00', 'EUR');
    expect((await tierOf(member.token)).name).toBe('Gold');
    const reversed = await hub.query(
      'mutation($i: ReverseTransactionInput!) { reverseTransaction(input: $i) { transaction { id } } }',
      { i: { transactionId: big.id, idempotencyKey: randomUUID() } },
      shop.token,
    );
    expect(reversed.errors).toBeUndefined();
    expect(await tierOf(member.token)).toMatchObject({ name: 'Blue', keptBy: 'QUALIFYING' });
    expect((await hub.db.query('SELECT 1 FROM points.tier_status WHERE member_id = $1', [member.id])).rowCount).toBe(0);
  });
});

describe('override', () => {
  const OVERRIDE = 'mutation($i: OverrideMemberTierInput!) { overrideMemberTier(input: $i) { override { id tier endsAt reason } } }';
  const override = async (input: Record<string, unknown>, token?: string) =>
    hub.query<{ overrideMemberTier: { override: { id: string; tier: string; endsAt: string; reason: string } } }>(OVERRIDE, { i: { idempotencyKey: randomUUID(), ...input } }, token ?? (await hub.admin()));

  it('wins until its end date, with its reason shown, audited; the earn is priced at it', async () => {
    const member = await hub.seed.member(shop.token);
    await hub.seed.earn(shop.token, member.id, '1200.00', 'EUR');
    const endsAt = new Date(Date.now() + 86_400_000).toISOString();
    const set = await override({ memberId: member.id, tier: 'gold', endsAt, reason: 'Status match from another programme' });
    expect(set.errors).toBeUndefined();
    expect(set.data!.overrideMemberTier.override).toMatchObject({ tier: 'Gold', endsAt, reason: 'Status match from another programme' });
    expect(await tierOf(member.token)).toMatchObject({ name: 'Gold', keptBy: 'OVERRIDE', tierEndsAt: endsAt, pointsToKeep: '3800', qualifyingTier: 'Silver', overrideReason: 'Status match from another programme' });
    expect((await hub.seed.earn(shop.token, member.id, '100.00', 'EUR')).points).toBe(200);
    expect((await hub.db.query(`SELECT 1 FROM points.audit_log WHERE operation = 'overrideMemberTier' AND target_id = $1 AND outcome = 'OK'`, [set.data!.overrideMemberTier.override.id])).rowCount).toBe(1);

    // Once it ends, the usual rules: Silver by qualifying points.
    await hub.db.query('ALTER TABLE points.tier_overrides DISABLE TRIGGER tier_overrides_append_only');
    await hub.db.query(`UPDATE points.tier_overrides SET ends_at = now() - interval '1 second' WHERE member_id = $1`, [member.id]);
    await hub.db.query('ALTER TABLE points.tier_overrides ENABLE TRIGGER tier_overrides_append_only');
    expect(await tierOf(member.token)).toMatchObject({ name: 'Silver', keptBy: 'QUALIFYING', overrideReason: null });
    expect((await hub.seed.earn(shop.token, member.id, '100.00', 'EUR')).points).toBe(150);
  });

  it('refuses an unknown tier, an end not in the future, an empty reason and anyone but the admin; writes nothing', async () => {
    const member = await hub.seed.member(shop.token);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const field = async (input: Record<string, unknown>) => (await override({ memberId: member.id, tier: 'Gold', endsAt: future, reason: 'x', ...input })).errors?.[0]?.extensions;
    expect(await field({ tier: 'Diamond' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tier' });
    expect(await field({ endsAt: new Date(Date.now() - 1000).toISOString() })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endsAt' });
    expect(await field({ endsAt: 'tomorrow' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endsAt' });
    expect(await field({ reason: ' ' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const asMember = await override({ memberId: member.id, tier: 'Gold', endsAt: future, reason: 'mine' }, member.token);
    expect(asMember.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await hub.db.query('SELECT 1 FROM points.tier_overrides WHERE member_id = $1', [member.id])).rowCount).toBe(0);
  });
});
