import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceService } from '../../subgraphs/points/src/services/maintenance.service';
import { createLogger } from '../../lib/src';
import { count, startHub, type TestHub } from '../support/hub';
import { codeOf, expectSameAsMissing } from '../support/isolation';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;
let grocer: { id: string; token: string; currency: string };
let fuel: { id: string; token: string; currency: string };

beforeAll(async () => {
  hub = await startHub();
  ledger = ledgerClient(hub);
  grocer = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
  fuel = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
});
afterAll(async () => hub?.stop());

const sweeper = () => new MaintenanceService(hub.subgraphs.points!.dataSource, createLogger('test', 'silent'));

async function memberWith(points: number) {
  const member = await hub.seed.member(grocer.token);
  if (points > 0) await hub.seed.earn(grocer.token, member.id, `${points}.00`, 'NOK');
  return member;
}

describe('redemption', () => {
  it('lets exactly 10 of 50 concurrent redemptions of 100 spend a balance of 1000', async () => {
    const member = await memberWith(1000);
    const codes = await Promise.all(Array.from({ length: 50 }, () => ledger.code(member.token)));
    const results = await Promise.all(codes.map((c) => ledger.redeem(fuel.token, member.id, 100, c)));
    const outcomes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok');
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'INSUFFICIENT_POINTS')).toHaveLength(40);
    expect(await ledger.points(member.token)).toEqual({ balance: 0, available: 0, pending: 0 });
    expect(await count(hub.db, 'points.redemption_codes', 'member_id = $1 AND used_at IS NOT NULL', [member.id])).toBe(10);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('accepts a code once, for its member only, within its cap', async () => {
    const member = await memberWith(500);
    const other = await memberWith(500);
    const capped = await ledger.code(member.token, 50);
    expect((await ledger.redeem(fuel.token, member.id, 60, capped)).errors?.[0]?.extensions?.code).toBe('REDEMPTION_CODE_INVALID');
    expect((await ledger.redeem(fuel.token, other.id, 50, capped)).errors?.[0]?.extensions?.code).toBe('REDEMPTION_CODE_INVALID');
    expect((await ledger.redeem(fuel.token, member.id, 50, capped)).errors).toBeUndefined();
    expect((await ledger.redeem(fuel.token, member.id, 50, capped)).errors?.[0]?.extensions?.code).toBe('REDEMPTION_CODE_INVALID');
    expect((await ledger.redeem(fuel.token, member.id, 10, '12345678')).errors?.[0]?.extensions?.code).toBe('REDEMPTION_CODE_INVALID');
    const noScope = await hub.partnerToken(fuel.id, 'points:earn');
    expect((await ledger.redeem(noScope, member.id, 10, await ledger.code(member.token))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ledger.points(member.token)).balance).toBe(450);
  });

  it('holds lower available at once; a partial capture spends part and releases the rest', async () => {
    const member = await memberWith(300);
    const auth = await ledger.authorize(fuel.token, member.id, 200, await ledger.code(member.token));
    expect(auth.data?.authorizeRedemption.hold).toMatchObject({ points: 200, status: 'OPEN' });
    expect(await ledger.points(member.token)).toEqual({ balance: 300, available: 100, pending: 200 });
    const captured = await ledger.capture(fuel.token, auth.data!.authorizeRedemption.hold.id, 120);
    expect(captured.data?.captureRedemption.hold).toMatchObject({ status: 'CAPTURED', capturedPoints: 120 });
    expect(captured.data?.captureRedemption.transaction).toMatchObject({ points: -120, kind: 'REDEEM' });
    expect(await ledger.points(member.token)).toEqual({ balance: 180, available: 180, pending: 0 });
    expect((await ledger.capture(fuel.token, auth.data!.authorizeRedemption.hold.id)).errors?.[0]?.extensions?.code).toBe('ALREADY_FINALIZED');
    expect((await ledger.capture(grocer.token, auth.data!.authorizeRedemption.hold.id)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('resolves a hold exactly once when captures and voids race', async () => {
    const member = await memberWith(400);
    const auth = await ledger.authorize(fuel.token, member.id, 300, await ledger.code(member.token));
    const holdId = auth.data!.authorizeRedemption.hold.id;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? ledger.capture(fuel.token, holdId) : ledger.void(fuel.token, holdId))));
    const outcomes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok');
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ALREADY_FINALIZED')).toHaveLength(19);
    const p = await ledger.points(member.token);
    expect(p.pending).toBe(0);
    expect([100, 400]).toContain(p.balance);
    expect(await count(hub.db, 'points.transactions', 'hold_id = $1', [holdId])).toBe(p.balance === 100 ? 1 : 0);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});

describe('holds, straight to the points subgraph', () => {
  const CAPTURE = 'mutation($input: CaptureRedemptionInput!) { captureRedemption(input: $input) { hold { id status capturedPoints } transaction { id points } } }';
  const VOID = 'mutation($input: VoidRedemptionInput!) { voidRedemption(input: $input) { hold { id status } } }';
  type Captured = { captureRedemption: { hold: { id: string; status: string; capturedPoints: number | null }; transaction: { id: string; points: number } } };
  const capture = (token: string, holdId: string, points: number | null) => hub.query<Captured>(CAPTURE, { input: { holdId, points, idempotencyKey: randomUUID() } }, token, 'points');
  const voidHold = (token: string, holdId: string) => hub.query<{ voidRedemption: { hold: { id: string; status: string } } }>(VOID, { input: { holdId, idempotencyKey: randomUUID() } }, token, 'points');

  /** A member with 300 points and an open hold of 200 by fuel; every refusal below must leave it so. */
  async function openHold() {
    const member = await memberWith(300);
    const auth = await ledger.authorize(fuel.token, member.id, 200, await ledger.code(member.token));
    const holdId = auth.data!.authorizeRedemption.hold.id;
    const unchanged = async () => {
      const { rows } = await hub.db.query<{ status: string; captured_points: string | null }>('SELECT status, captured_points FROM points.holds WHERE id = $1', [holdId]);
      expect(rows).toEqual([{ status: 'OPEN', captured_points: null }]);
      expect(await ledger.points(member.token)).toEqual({ balance: 300, available: 100, pending: 200 });
      expect(await count(hub.db, 'points.transactions', 'hold_id = $1', [holdId])).toBe(0);
    };
    return { member, holdId, unchanged };
  }

  it('refuses to capture more than is held, or 0 points, with BAD_USER_INPUT on points, and changes nothing', async () => {
    const { holdId, unchanged } = await openHold();
    for (const points of [201, 0, -1]) {
      const refused = await capture(fuel.token, holdId, points);
      expect(refused.errors?.map((e) => e.extensions), String(points)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'points' })]);
      expect(refused.errors?.[0].message.startsWith('points: '), String(points)).toBe(true);
      expect(refused.data ?? null, String(points)).toBeNull();
    }
    await unchanged();
    // Exactly what is held is allowed.
    const all = await capture(fuel.token, holdId, 200);
    expect(all.data?.captureRedemption).toMatchObject({ hold: { status: 'CAPTURED', capturedPoints: 200 }, transaction: { points: -200 } });
  });

  it("answers another partner's capture or void of a hold exactly as for a hold that does not exist: NOT_FOUND", async () => {
    const { holdId, unchanged } = await openHold();
    const missing = randomUUID();
    for (const [name, call] of [
      ['capture', (id: string) => capture(grocer.token, id, null)],
      ['partial capture', (id: string) => capture(grocer.token, id, 10)],
      ['void', (id: string) => voidHold(grocer.token, id)],
    ] as const) {
      const foreign = await call(holdId);
      expect(codeOf(foreign), name).toBe('NOT_FOUND');
      expectSameAsMissing(foreign, holdId, await call(missing), missing, name);
    }
    await unchanged();
    // Its own partner still can.
    expect((await voidHold(fuel.token, holdId)).data?.voidRedemption.hold.status).toBe('VOIDED');
  });
});

describe('idempotency keys belong to their caller', () => {
  const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points partner { id } } } }';
  type Earned = { earnPoints: { transaction: { id: string; points: number; partner: { id: string } } } };

  it("gives partner B its own earn for partner A's exact key and input, never A's", async () => {
    const member = await memberWith(0);
    const key = `shared-${randomUUID()}`;
    const input = { memberId: member.id, purchase: { amount: '100.00', currency: 'NOK' }, reference: `R-${key}`, idempotencyKey: key };
    const ofA = await hub.must<Earned>(EARN, { input }, grocer.token);
    const ofB = await hub.must<Earned>(EARN, { input }, fuel.token);
    expect(ofA.earnPoints.transaction).toMatchObject({ points: 100, partner: { id: grocer.id } });
    expect(ofB.earnPoints.transaction).toMatchObject({ points: 100, partner: { id: fuel.id } });
    expect(ofB.earnPoints.transaction.id).not.toBe(ofA.earnPoints.transaction.id);
    // Each retry replays its own caller's result.
    expect((await hub.must<Earned>(EARN, { input }, grocer.token)).earnPoints.transaction.id).toBe(ofA.earnPoints.transaction.id);
    expect((await hub.must<Earned>(EARN, { input }, fuel.token)).earnPoints.transaction.id).toBe(ofB.earnPoints.transaction.id);
    const { rows } = await hub.db.query<{ id: string; partner_id: string }>('SELECT id, partner_id FROM points.transactions WHERE member_id = $1 ORDER BY created_at', [member.id]);
    expect(rows).toEqual([
      { id: ofA.earnPoints.transaction.id, partner_id: grocer.id },
      { id: ofB.earnPoints.transaction.id, partner_id: fuel.id },
    ]);
    expect((await ledger.points(member.token)).balance).toBe(200);
  });

  it("gives member B its own donation for member A's exact key and input, never A's", async () => {
    const [a, b] = [await memberWith(300), await memberWith(300)];
    const charity = await hub.seed.charity();
    const DONATE = 'mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { id status points } } }';
    const input = { charityId: charity.id, points: 100, idempotencyKey: `shared-${randomUUID()}` };
    type Donated = { donatePoints: { donation: { id: string; status: string; points: number } } };
    const ofA = (await hub.must<Donated>(DONATE, { input }, a.token)).donatePoints.donation;
    const ofB = (await hub.must<Donated>(DONATE, { input }, b.token)).donatePoints.donation;
    expect([ofA.status, ofB.status]).toEqual(['CONFIRMED', 'CONFIRMED']);
    expect(ofB.id).not.toBe(ofA.id);
    const { rows } = await hub.db.query<{ id: string; member_id: string }>('SELECT id, member_id FROM donations.donations WHERE charity_id = $1 ORDER BY created_at', [charity.id]);
    expect(rows).toEqual([
      { id: ofA.id, member_id: a.id },
      { id: ofB.id, member_id: b.id },
    ]);
    expect([(await ledger.points(a.token)).balance, (await ledger.points(b.token)).balance]).toEqual([200, 200]);
  });
});

describe('reversal', () => {
  it('takes a refunded earn back once, only for the partner that made it', async () => {
    const member = await hub.seed.member(grocer.token);
    const earn = await hub.seed.earn(grocer.token, member.id, '250.00', 'NOK');
    expect((await ledger.reverse(fuel.token, earn.id)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const keys = Array.from({ length: 10 }, () => randomUUID());
    const racing = await Promise.all(keys.map((k) => ledger.reverse(grocer.token, earn.id, k)));
    expect(racing.filter((r) => !r.errors)).toHaveLength(1);
    expect(racing.filter((r) => r.errors?.[0]?.extensions?.code === 'ALREADY_FINALIZED')).toHaveLength(9);
    expect(await ledger.points(member.token)).toMatchObject({ balance: 0 });
    const reversal = racing.find((r) => !r.errors)!.data!.reverseTransaction.transaction;
    expect(reversal).toMatchObject({ kind: 'REVERSAL', points: -250 });
    expect((await ledger.reverse(await hub.admin(), reversal.id)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'transactionId' });
  });

  it('returns the points of a reversed redemption to the member', async () => {
    const member = await memberWith(300);
    const spent = await ledger.redeem(fuel.token, member.id, 200, await ledger.code(member.token));
    const back = await ledger.reverse(fuel.token, spent.data!.redeemPoints.transaction.id);
    expect(back.data?.reverseTransaction.transaction).toMatchObject({ kind: 'REVERSAL', points: 200 });
    expect((await ledger.points(member.token)).balance).toBe(300);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('never mints points from earn, spend, refund: the spent part is clawed back from the next earnings', async () => {
    const member = await hub.seed.member(grocer.token);
    const earn = await hub.seed.earn(grocer.token, member.id, '100.00', 'NOK');
    await ledger.redeem(fuel.token, member.id, 80, await ledger.code(member.token));
    const refund = await ledger.reverse(grocer.token, earn.id);
    expect(refund.data?.reverseTransaction.transaction.points).toBe(-20);
    expect((await ledger.points(member.token)).balance).toBe(0);
    const next = await hub.seed.earn(fuel.token, member.id, '50.00', 'NOK');
    expect(next.points).toBe(50);
    expect((await ledger.points(member.token)).balance).toBe(0); // 50 of the 80 owed repaid
    await hub.seed.earn(fuel.token, member.id, '50.00', 'NOK');
    expect((await ledger.points(member.token)).balance).toBe(20); // the last 30 repaid, 20 left
    const history = await hub.must<{ me: { points: { history: { nodes: { kind: string; points: number }[] } } } }>(
      '{ me { points { history(first: 10) { nodes { kind points } } } } }',
      {},
      member.token,
    );
    expect(history.me.points.history.nodes.map((n) => `${n.kind}:${n.points}`)).toEqual([
      'CLAWBACK:-30',
      'EARN:50',
      'CLAWBACK:-50',
      'EARN:50',
      'REVERSAL:-20',
      'REDEEM:-80',
      'EARN:100',
    ]);
    // Across the whole story the member kept 20 points for 200 NOK paid and 100 NOK refunded.
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});

describe('expiry, tiers, campaigns and history', () => {
  it('moves expired points to breakage exactly once, however many sweepers run', async () => {
    const member = await memberWith(70);
    await hub.seed.earn(grocer.token, member.id, '30.00', 'NOK');
    const soon = await hub.must<{ me: { points: { expiringSoon: { points: number }[] } } }>('{ me { points { expiringSoon(days: 800) { points expiresAt } } } }', {}, member.token);
    expect(soon.me.points.expiringSoon.reduce((s, e) => s + e.points, 0)).toBe(100);
    await hub.db.query(
      `UPDATE points.lots SET expires_at = now() - interval '1 second'
        WHERE account_id = (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1) AND points = 70`,
      [member.id],
    );
    await Promise.all(Array.from({ length: 5 }, () => sweeper().expireLots()));
    expect((await ledger.points(member.token)).balance).toBe(30);
    expect(await count(hub.db, 'points.transactions', `member_id = $1 AND kind = 'EXPIRY'`, [member.id])).toBe(1);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('places members in tiers from 12 months of earning and applies the multiplier', async () => {
    const member = await memberWith(4_999);
    const tier = async () =>
      (await hub.must<{ me: { points: { tier: Record<string, unknown> } } }>('{ me { points { tier { name multiplier qualifyingPoints nextTier pointsToNextTier } } } }', {}, member.token)).me.points.tier;
    expect(await tier()).toEqual({ name: 'Bronze', multiplier: '1', qualifyingPoints: '4999', nextTier: 'Silver', pointsToNextTier: '1' });
    await hub.seed.earn(grocer.token, member.id, '1.00', 'NOK');
    expect(await tier()).toMatchObject({ name: 'Silver', multiplier: '1.25', nextTier: 'Gold', pointsToNextTier: '15000' });
    expect((await hub.seed.earn(grocer.token, member.id, '100.00', 'NOK')).points).toBe(125);
  });

  it('applies a running campaign of the partner, and only of that partner', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const start = new Date(Date.now() - 60_000).toISOString();
    const end = new Date(Date.now() + 3_600_000).toISOString();
    const created = await hub.query(
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id partnerId multiplier bonusPoints } } }',
      { input: { name: 'Double days', multiplier: '2', bonusPoints: 10, startsAt: start, endsAt: end } },
      partner.token,
    );
    expect(created.data).toMatchObject({ createCampaign: { campaign: { partnerId: partner.id, multiplier: '2', bonusPoints: 10 } } });
    const member = await hub.seed.member(partner.token);
    expect((await hub.seed.earn(partner.token, member.id, '100.00', 'NOK')).points).toBe(210);
    expect((await hub.seed.earn(grocer.token, member.id, '100.00', 'NOK')).points).toBe(100);
    const foreign = await hub.query(
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }',
      { input: { name: 'Not mine', partnerId: grocer.id, multiplier: '3', startsAt: start, endsAt: end } },
      partner.token,
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('pages history newest first and shows a partner only its own entries', async () => {
    const member = await hub.seed.member(grocer.token);
    for (let i = 1; i <= 5; i++) await hub.seed.earn(i % 2 ? grocer.token : fuel.token, member.id, `${i}.00`, 'NOK');
    const page = (after?: string) =>
      hub.must<{ me: { points: { history: { nodes: { points: number; partner: { id: string } }[]; pageInfo: { endCursor: string; hasNextPage: boolean } } } } }>(
        'query($after: String) { me { points { history(first: 2, after: $after) { nodes { points partner { id name } } pageInfo { endCursor hasNextPage } } } } }',
        { after },
        member.token,
      );
    const first = await page();
    expect(first.me.points.history.nodes.map((n) => n.points)).toEqual([5, 4]);
    expect(first.me.points.history.nodes[0].partner.id).toBe(grocer.id);
    const second = await page(first.me.points.history.pageInfo.endCursor);
    const third = await page(second.me.points.history.pageInfo.endCursor);
    expect(second.me.points.history.nodes.map((n) => n.points)).toEqual([3, 2]);
    expect(third.me.points.history.nodes.map((n) => n.points)).toEqual([1]);
    expect(third.me.points.history.pageInfo.hasNextPage).toBe(false);

    const asGrocer = await hub.must<{ member: { points: { history: { nodes: { points: number }[] } } } }>(
      `{ member(id: "${member.id}") { points { history(first: 10) { nodes { points } } } } }`,
      {},
      grocer.token,
    );
    expect(asGrocer.member.points.history.nodes.map((n) => n.points)).toEqual([5, 3, 1]);
  });

  it("pages a partner's own transactions, and shows them to nobody else", async () => {
    const shop = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const rival = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(shop.token);
    for (let i = 1; i <= 3; i++) await hub.seed.earn(shop.token, member.id, `${i}.00`, 'NOK');
    await hub.seed.earn(rival.token, member.id, '9.00', 'NOK');
    type Page = { nodes: { points: number; partner: { id: string } }[]; pageInfo: { endCursor: string; hasNextPage: boolean } };
    const own = await hub.must<{ viewerPartner: { transactions: Page } }>(
      '{ viewerPartner { transactions(first: 2) { nodes { points partner { id } } pageInfo { endCursor hasNextPage } } } }',
      {},
      shop.token,
    );
    expect(own.viewerPartner.transactions.nodes.map((n) => n.points)).toEqual([3, 2]);
    expect(own.viewerPartner.transactions.pageInfo.hasNextPage).toBe(true);
    const next = await hub.must<{ partner: { transactions: Page } }>(
      'query($id: ID!, $after: String) { partner(id: $id) { transactions(first: 2, after: $after) { nodes { points partner { id } } pageInfo { endCursor hasNextPage } } } }',
      { id: shop.id, after: own.viewerPartner.transactions.pageInfo.endCursor },
      shop.token,
    );
    expect(next.partner.transactions.nodes.map((n) => `${n.partner.id}:${n.points}`)).toEqual([`${shop.id}:1`]);
    expect(next.partner.transactions.pageInfo.hasNextPage).toBe(false);

    const query = '{ partner(id: "ID") { id transactions { nodes { points } } } }'.replace('ID', shop.id);
    expect(await hub.must(query, {}, rival.token)).toEqual({ partner: { id: shop.id, transactions: null } });
    expect(await hub.must(query, {}, member.token)).toEqual({ partner: { id: shop.id, transactions: null } });
    const asAdmin = await hub.must<{ partner: { transactions: Page } }>(query, {}, await hub.admin());
    expect(asAdmin.partner.transactions.nodes).toHaveLength(3);
    // Straight to the points subgraph, as partner B asking for partner A's entity: nothing.
    const direct = await hub.query(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Partner { transactions { nodes { points } } } } }',
      { r: [{ __typename: 'Partner', id: shop.id }] },
      rival.token,
      'points',
    );
    expect(direct.data).toEqual({ _entities: [{ transactions: null }] });
  });
});

describe('refunds, holds and expiry together (review regressions)', () => {
  const lotsOf = (memberId: string) => `account_id = (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = '${memberId}')`;

  it('repays a clawback from points a void releases, so refunded points are never spendable', async () => {
    const member = await hub.seed.member(grocer.token);
    const earn = await hub.seed.earn(grocer.token, member.id, '100.00', 'NOK');
    const hold = await ledger.authorize(fuel.token, member.id, 100, await ledger.code(member.token));
    expect((await ledger.reverse(grocer.token, earn.id)).data?.reverseTransaction.transaction.points).toBe(0);
    await ledger.void(fuel.token, hold.data!.authorizeRedemption.hold.id);
    expect(await ledger.points(member.token)).toEqual({ balance: 0, available: 0, pending: 0 });
    expect((await ledger.redeem(fuel.token, member.id, 100, await ledger.code(member.token))).errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_POINTS');
  });

  it('repays a clawback from points a reversed redemption returns', async () => {
    const member = await hub.seed.member(grocer.token);
    const earn = await hub.seed.earn(grocer.token, member.id, '100.00', 'NOK');
    const spent = await ledger.redeem(fuel.token, member.id, 100, await ledger.code(member.token));
    await ledger.reverse(grocer.token, earn.id);
    await ledger.reverse(fuel.token, spent.data!.redeemPoints.transaction.id);
    expect(await ledger.points(member.token)).toEqual({ balance: 0, available: 0, pending: 0 });
    expect(await count(hub.db, 'points.clawbacks', `${lotsOf(member.id)} AND outstanding > 0`)).toBe(0);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('lets a hold keep expired points it reserved, whatever the sweeper does first', async () => {
    const member = await hub.seed.member(grocer.token);
    await hub.seed.earn(grocer.token, member.id, '100.00', 'NOK');
    await hub.seed.earn(grocer.token, member.id, '101.00', 'NOK');
    const hold = await ledger.authorize(fuel.token, member.id, 100, await ledger.code(member.token));
    await hub.db.query(`UPDATE points.lots SET expires_at = now() - interval '1 second' WHERE ${lotsOf(member.id)} AND points = 100`);
    await sweeper().expireLots();
    await ledger.capture(fuel.token, hold.data!.authorizeRedemption.hold.id);
    expect(await ledger.points(member.token)).toEqual({ balance: 101, available: 101, pending: 0 });
  });

  it('never spends expired points, even before the sweeper runs', async () => {
    const member = await memberWith(50);
    await hub.db.query(`UPDATE points.lots SET expires_at = now() - interval '1 second' WHERE ${lotsOf(member.id)}`);
    const refused = await ledger.redeem(fuel.token, member.id, 10, await ledger.code(member.token));
    expect(refused.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_POINTS');
    expect(await count(hub.db, 'points.transactions', `member_id = $1 AND kind = 'EXPIRY'`, [member.id])).toBe(0); // the refusal rolled back
    await sweeper().expireLots();
    expect((await ledger.points(member.token)).balance).toBe(0);
  });

  it('does not charge a member twice for a refunded earn whose points already expired', async () => {
    const member = await hub.seed.member(grocer.token);
    const earn = await hub.seed.earn(grocer.token, member.id, '100.00', 'NOK');
    await hub.db.query(`UPDATE points.lots SET expires_at = now() - interval '1 second' WHERE ${lotsOf(member.id)}`);
    await sweeper().expireLots();
    const refund = await ledger.reverse(grocer.token, earn.id);
    expect(refund.data?.reverseTransaction.transaction.points).toBe(0);
    expect(await count(hub.db, 'points.clawbacks', lotsOf(member.id))).toBe(0);
    await hub.seed.earn(fuel.token, member.id, '100.00', 'NOK');
    expect((await ledger.points(member.token)).balance).toBe(100);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('replays an authorization with the hold as authorized, and null equals an omitted field', async () => {
    const member = await memberWith(100);
    const key = randomUUID();
    const code = await ledger.code(member.token);
    const first = await ledger.authorize(fuel.token, member.id, 40, code, key);
    const holdId = first.data!.authorizeRedemption.hold.id;
    const captureKey = randomUUID();
    await ledger.capture(fuel.token, holdId, undefined, captureKey);
    const replay = await ledger.authorize(fuel.token, member.id, 40, code, key);
    expect(replay.data?.authorizeRedemption.hold).toEqual(first.data?.authorizeRedemption.hold);
    const again = await hub.query(
      'mutation($input: CaptureRedemptionInput!) { captureRedemption(input: $input) { hold { status } } }',
      { input: { holdId, idempotencyKey: captureKey } },
      fuel.token,
    );
    expect(again.errors).toBeUndefined();
  });

  it('pages through transactions written microseconds apart without skipping any', async () => {
    const member = await hub.seed.member(grocer.token);
    const earn = await hub.seed.earn(grocer.token, member.id, '100.00', 'NOK');
    await ledger.redeem(fuel.token, member.id, 100, await ledger.code(member.token));
    await ledger.reverse(grocer.token, earn.id);
    await hub.seed.earn(fuel.token, member.id, '150.00', 'NOK'); // an earn and a clawback in one database transaction
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: { me: { points: { history: { nodes: { id: string }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } } } } = await hub.must(
        'query($after: String) { me { points { history(first: 1, after: $after) { nodes { id } pageInfo { endCursor hasNextPage } } } } }',
        { after },
        member.token,
      );
      seen.push(...page.me.points.history.nodes.map((n) => n.id));
      after = page.me.points.history.pageInfo.hasNextPage ? page.me.points.history.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(await count(hub.db, 'points.transactions', 'member_id = $1', [member.id]));
    expect(new Set(seen).size).toBe(seen.length);
  });
});
