import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MembershipService } from '../../subgraphs/points/src/services/membership.service';
import { type LedgerConfig } from '../../subgraphs/points/src/services/ledger.config';
import { type DirectoryClient } from '../../subgraphs/points/src/clients/directory.client';
import { count, startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

/**
 * Paid membership (issue 18, part 1): plans, a sale at a till, renewal, cancellation, expiry, the perks in
 * the earn and in tier standing, the monthly bonus, and the fee in the seller's statement. A database of
 * its own: the sweeper's rounds and the plan table are exactly this file's.
 */
let hub: TestHub;
let grocer: { id: string; token: string; currency: string };
let fuel: { id: string; token: string; currency: string };
let vip: { id: string };

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { MARKETING_POINT_PRICE: '0.004', COALITION_CURRENCY: 'NOK' } });
  [grocer, fuel] = [await hub.seed.partner({ currency: 'NOK' }), await hub.seed.partner({ currency: 'NOK' })];
});
afterAll(async () => hub?.stop());

const AWARDS = 'awards { kind points fundedBy { id } ruleId }';
type Award = { kind: string; points: number; fundedBy: { id: string } | null; ruleId: string | null };
const MEMBERSHIP = 'id status currentPeriodEnd cancelAtPeriodEnd cancelledAt startedAt plan { id name earnMultiplier tierFloor }';
type Membership = { id: string; status: string; currentPeriodEnd: string; cancelAtPeriodEnd: boolean | null; cancelledAt: string | null; startedAt: string | null; plan: { id: string; name: string } };
type Purchase = { id: string; renewal: boolean; periodStart: string; periodEnd: string; price: { amount: string; currency: string }; partner: { id: string } | null; plan: { id: string } };

const planInput = (over: Record<string, unknown> = {}) => ({
  name: 'VIP',
  price: { amount: '990.00', currency: 'NOK' },
  periodMonths: 12,
  earnMultiplier: '1.5',
  tierFloor: 'Silver',
  monthlyBonusPoints: 100,
  earlyAccessDays: 7,
  idempotencyKey: randomUUID(),
  ...over,
});

async function createPlan(input: Record<string, unknown>, token?: string) {
  return hub.query<{ createMembershipPlan: { plan: { id: string; price: { amount: string; currency: string }; earnMultiplier: string; tierFloor: string | null; monthlyBonusPoints: number; earlyAccessDays: number } } }>(
    'mutation($input: CreateMembershipPlanInput!) { createMembershipPlan(input: $input) { plan { id price { amount currency } earnMultiplier tierFloor monthlyBonusPoints earlyAccessDays } } }',
    { input },
    token ?? (await hub.admin()),
  );
}

async function buy(token: string, memberId: string, planId: string, key = randomUUID(), paymentReference = `PAY-${key}`, extra: Record<string, unknown> = {}) {
  return hub.query<{ purchaseMembership: { membership: Membership; purchase: Purchase } }>(
    `mutation($input: PurchaseMembershipInput!) { purchaseMembership(input: $input) { membership { ${MEMBERSHIP} } purchase { id renewal periodStart periodEnd price { amount currency } partner { id } plan { id } } } }`,
    { input: { memberId, planId, paymentReference, idempotencyKey: key, ...extra } },
    token,
  );
}

async function earn(token: string, memberId: string, amount: string) {
  const key = randomUUID();
  const r = await hub.query<{ earnPoints: { transaction: { id: string; points: number }; awards: Award[] } }>(
    `mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } ${AWARDS} } }`,
    { input: { memberId, purchase: { amount, currency: 'NOK' }, reference: `R-${key}`, idempotencyKey: key } },
    token,
  );
  expect(r.errors).toBeUndefined();
  return r.data!.earnPoints;
}

const membershipOf = async (memberId: string, token: string) =>
  (await hub.query<{ _entities: { membership: Membership | null }[] }>(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { membership { ${MEMBERSHIP} } } } }`, { r: [{ __typename: 'Member', id: memberId }] }, token, 'points'));

const tierOf = async (memberToken: string) =>
  (await hub.must<{ me: { points: { tier: { name: string; multiplier: string; keptBy: string; tierEndsAt: string | null } } } }>('{ me { points { tier { name multiplier keptBy tierEndsAt } } } }', {}, memberToken)).me.points.tier;

/** Moves a member's membership back in time by `months` (and `days`), as if bought that long ago (the database's clock decides). */
const age = (memberId: string, months: number, days = 0) =>
  hub.db.query(
    `UPDATE points.memberships SET anchor_at = anchor_at - make_interval(months => $2, days => $3), period_end = period_end - make_interval(months => $2, days => $3),
            started_at = started_at - make_interval(months => $2, days => $3) WHERE member_id = $1`,
    [memberId, months, days],
  );

const config = { expiryMonths: 24, coalition: { timeZone: 'UTC', currency: 'NOK', marketingPointPrice: '0.004' } } as unknown as LedgerConfig;
const sweeper = () => new MembershipService(hub.subgraphs.points!.dataSource, undefined as unknown as DirectoryClient, config);

describe('membership plans', () => {
  it('the admin defines a plan with its price, period and perks; bad input names the field and writes nothing; idempotent by key', async () => {
    const input = planInput();
    const created = await createPlan(input);
    expect(created.errors).toBeUndefined();
    vip = created.data!.createMembershipPlan.plan;
    expect(created.data!.createMembershipPlan.plan).toMatchObject({ price: { amount: '990.00', currency: 'NOK' }, earnMultiplier: '1.5', tierFloor: 'Silver', monthlyBonusPoints: 100, earlyAccessDays: 7 });
    // The same key and input: the same plan, nothing new; another input: refused.
    expect((await createPlan(input)).data?.createMembershipPlan.plan.id).toBe(vip.id);
    expect((await createPlan({ ...input, name: 'Other' })).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const before = await count(hub.db, 'points.membership_plans');
    for (const [over, field] of [
      [{ periodMonths: 0 }, 'periodMonths'],
      [{ earnMultiplier: '0.5' }, 'earnMultiplier'],
      [{ tierFloor: 'Platinum' }, 'tierFloor'],
      [{ price: { amount: '990.00', currency: 'XX' } }, 'price.currency'],
      [{ price: { amount: '0', currency: 'NOK' } }, 'price.amount'],
      [{ monthlyBonusPoints: -1 }, 'monthlyBonusPoints'],
      [{ earlyAccessDays: 91 }, 'earlyAccessDays'],
      [{ earnMultiplier: '1', tierFloor: null, monthlyBonusPoints: 0, earlyAccessDays: 0 }, 'earnMultiplier'],
    ] as const) {
      const r = await createPlan(planInput(over));
      expect(r.errors?.[0]?.extensions, JSON.stringify(over)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await createPlan(planInput(), grocer.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count(hub.db, 'points.membership_plans')).toBe(before);
    // The price list, for anyone signed in.
    const list = await hub.must<{ membershipPlans: { id: string }[] }>('{ membershipPlans { id } }', {}, await hub.memberToken(randomUUID()));
    expect(list.membershipPlans.map((p) => p.id)).toContain(vip.id);
  });
});

describe('a membership sold at a till', () => {
  it('starts at once: the next earn carries a MEMBERSHIP award paid by the marketing budget, and the tier floor holds', async () => {
    const m = await hub.seed.member(grocer.token);
    const plain = await hub.seed.member(grocer.token);
    const sale = await buy(grocer.token, m.id, vip.id);
    expect(sale.errors).toBeUndefined();
    const { membership, purchase } = sale.data!.purchaseMembership;
    expect(membership).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: false, plan: { id: vip.id, name: 'VIP' } });
    expect(purchase).toMatchObject({ renewal: false, price: { amount: '990.00', currency: 'NOK' }, partner: { id: grocer.id }, plan: { id: vip.id } });
    // Twelve months from now, by the database's calendar.
    const { rows } = await hub.db.query(`SELECT period_end = anchor_at + interval '12 months' AS ok, abs(extract(epoch FROM anchor_at - now())) < 60 AS now FROM points.memberships WHERE member_id = $1`, [m.id]);
    expect(rows[0]).toEqual({ ok: true, now: true });
    expect(membership.currentPeriodEnd).toBe(purchase.periodEnd);

    // 200 NOK at earn rate 1: base 200; the Silver floor (x1.25) lifts the tier of a Bronze member (its 50 are
    // the coalition's, not the partner's), and the x1.5 multiplier adds 100: MEMBERSHIP 150, paid by the coalition.
    const vipEarn = await earn(grocer.token, m.id, '200.00');
    expect(vipEarn.transaction.points).toBe(350);
    expect(vipEarn.awards).toEqual([
      { kind: 'BASE', points: 200, fundedBy: { id: grocer.id }, ruleId: null },
      { kind: 'MEMBERSHIP', points: 150, fundedBy: null, ruleId: vip.id },
    ]);
    // The coalition's share is its own lot, at the marketing price; the partner's is the partner's.
    const lots = await hub.db.query(`SELECT l.partner_id, l.points::int, t.unit_price FROM points.lots l JOIN points.transactions t ON t.id = l.transaction_id WHERE l.transaction_id = $1 ORDER BY l.points`, [vipEarn.transaction.id]);
    expect(lots.rows.map((r) => [r.partner_id, r.points])).toEqual([[null, 150], [grocer.id, 200]]);
    // Without a membership: the base alone.
    expect((await earn(grocer.token, plain.id, '200.00')).awards).toEqual([{ kind: 'BASE', points: 200, fundedBy: { id: grocer.id }, ruleId: null }]);
    // The tier is the floor's while the membership runs, and says so (kept by MEMBERSHIP until the period ends).
    expect(await tierOf(m.token)).toEqual({ name: 'Silver', multiplier: '1.25', keptBy: 'MEMBERSHIP', tierEndsAt: purchase.periodEnd });
    expect(await tierOf(plain.token)).toEqual({ name: 'Bronze', multiplier: '1', keptBy: 'QUALIFYING', tierEndsAt: null });

    // Who sees the membership: the member and the admin all of it; a till with members:lookup whether it runs.
    expect((await membershipOf(m.id, m.token)).data?._entities[0].membership).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: false });
    expect((await membershipOf(m.id, await hub.admin())).data?._entities[0].membership?.id).toBe(membership.id);
    expect((await membershipOf(m.id, fuel.token)).data?._entities[0].membership).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: null, startedAt: null, plan: { name: 'VIP' } });
    expect((await membershipOf(m.id, plain.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await membershipOf(plain.id, plain.token)).data?._entities[0].membership).toBeNull();
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('renews from the current period end when bought again; idempotent; refuses another plan, a used payment reference, another currency; another partner\'s sale looks missing', async () => {
    const m = await hub.seed.member(grocer.token);
    const key = randomUUID();
    const first = (await buy(grocer.token, m.id, vip.id, key)).data!.purchaseMembership;
    // The same key again: the same sale, nothing new.
    expect((await buy(grocer.token, m.id, vip.id, key)).data?.purchaseMembership.purchase.id).toBe(first.purchase.id);
    expect(await count(hub.db, 'points.membership_purchases', 'member_id = $1', [m.id])).toBe(1);
    const renewal = await buy(fuel.token, m.id, vip.id);
    expect(renewal.errors).toBeUndefined();
    const second = renewal.data!.purchaseMembership;
    expect(second.purchase).toMatchObject({ renewal: true, periodStart: first.purchase.periodEnd, partner: { id: fuel.id } });
    expect(second.membership.id).toBe(first.membership.id);
    const { rows } = await hub.db.query(`SELECT period_end = anchor_at + interval '24 months' AS ok, months FROM points.memberships WHERE member_id = $1`, [m.id]);
    expect(rows[0]).toEqual({ ok: true, months: 24 });

    const monthly = (await createPlan(planInput({ name: 'VIP monthly', periodMonths: 1 }))).data!.createMembershipPlan.plan;
    const other = await buy(grocer.token, m.id, monthly.id);
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'planId' });
    const reused = await buy(grocer.token, m.id, vip.id, randomUUID(), `PAY-${key}`);
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'paymentReference' });
    const sek = await hub.seed.partner({ currency: 'SEK' });
    expect((await buy(sek.token, m.id, vip.id)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'planId' });
    expect((await buy(grocer.token, m.id, randomUUID())).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await buy(grocer.token, randomUUID(), vip.id)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await buy(grocer.token, 'not-an-id', vip.id)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'memberId' });
    expect((await buy(await hub.partnerToken(grocer.id, 'members:lookup'), m.id, vip.id)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await buy(m.token, m.id, vip.id)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await buy(grocer.token, m.id, vip.id, randomUUID(), undefined, { partnerId: fuel.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count(hub.db, 'points.membership_purchases', 'member_id = $1', [m.id])).toBe(2);

    const sale = (id: string, token: string) => hub.query<{ membershipPurchase: { id: string } | null }>('query($id: ID!) { membershipPurchase(id: $id) { id } }', { id }, token);
    expect((await sale(first.purchase.id, grocer.token)).data?.membershipPurchase?.id).toBe(first.purchase.id);
    expect((await sale(first.purchase.id, m.token)).data?.membershipPurchase?.id).toBe(first.purchase.id);
    expect((await sale(first.purchase.id, fuel.token)).data?.membershipPurchase).toBeNull();
    expect((await sale(randomUUID(), fuel.token)).data?.membershipPurchase).toBeNull();

    // The admin records a sale at a named till; the audit log has every sale.
    const byAdmin = await buy(await hub.admin(), m.id, vip.id, randomUUID(), undefined, { partnerId: grocer.id });
    expect(byAdmin.data?.purchaseMembership.purchase).toMatchObject({ renewal: true, partner: { id: grocer.id } });
    const audited = await hub.db.query(`SELECT DISTINCT target_id FROM points.audit_log WHERE operation = 'purchaseMembership' AND outcome = 'OK' AND target_id = ANY($1::uuid[])`, [[first.purchase.id, second.purchase.id]]);
    expect(audited.rowCount).toBe(2);
  });

  it('cancelled: the perks last until the period ends, then they are gone and it reads CANCELLED', async () => {
    const m = await hub.seed.member(grocer.token);
    const stranger = await hub.seed.member(grocer.token);
    await buy(grocer.token, m.id, vip.id);
    const cancel = (token: string, memberId?: string) =>
      hub.query<{ cancelMembership: { membership: Membership } }>(`mutation($input: CancelMembershipInput!) { cancelMembership(input: $input) { membership { ${MEMBERSHIP} } } }`, { input: memberId ? { memberId } : {} }, token);
    // Another member's membership looks missing; a partner may not cancel.
    expect((await cancel(stranger.token, m.id)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await cancel(stranger.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await cancel(grocer.token, m.id)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const cancelled = await cancel(m.token);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelMembership.membership).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: true });
    // Cancelling again changes nothing.
    expect((await cancel(m.token)).data?.cancelMembership.membership.cancelledAt).toBe(cancelled.data!.cancelMembership.membership.cancelledAt);
    expect((await earn(grocer.token, m.id, '100.00')).awards.map((a) => a.kind)).toEqual(['BASE', 'MEMBERSHIP']);

    // The period ends (bought 12 months ago): no perks, the tier falls back, and it reads CANCELLED.
    await age(m.id, 12);
    expect((await earn(grocer.token, m.id, '100.00')).awards).toEqual([{ kind: 'BASE', points: 100, fundedBy: { id: grocer.id }, ruleId: null }]);
    expect(await tierOf(m.token)).toMatchObject({ name: 'Bronze', keptBy: 'QUALIFYING' });
    expect((await membershipOf(m.id, m.token)).data?._entities[0].membership).toMatchObject({ status: 'CANCELLED', cancelAtPeriodEnd: true });
    expect((await membershipOf(m.id, grocer.token)).data?._entities[0].membership).toBeNull();
    expect((await cancel(m.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The sweeper marks the ended run.
    await sweeper().sweep();
    expect((await hub.db.query('SELECT status, expired_at = period_end AS at_end FROM points.memberships WHERE member_id = $1', [m.id])).rows[0]).toEqual({ status: 'EXPIRED', at_end: true });
  });

  it('expires by itself at the period end; bought again after that, a new run starts now', async () => {
    const m = await hub.seed.member(grocer.token);
    await buy(grocer.token, m.id, vip.id);
    await age(m.id, 13);
    expect((await membershipOf(m.id, m.token)).data?._entities[0].membership?.status).toBe('EXPIRED');
    expect((await earn(grocer.token, m.id, '100.00')).awards.map((a) => a.kind)).toEqual(['BASE']);
    const again = (await buy(grocer.token, m.id, vip.id)).data!.purchaseMembership;
    expect(again.purchase.renewal).toBe(false);
    expect(Math.abs(Date.parse(again.purchase.periodStart) - Date.now())).toBeLessThan(60_000);
    expect(again.membership.status).toBe('ACTIVE');
    expect((await earn(grocer.token, m.id, '100.00')).awards.map((a) => a.kind)).toEqual(['BASE', 'MEMBERSHIP']);
  });
});

describe('early access to offers', () => {
  it("a member of a plan with early access activates a partner's offer days before it starts, and earns with it from then; others wait", async () => {
    const cafe = await hub.seed.partner({ currency: 'NOK' });
    const [member, plain] = [await hub.seed.member(cafe.token), await hub.seed.member(cafe.token)];
    expect((await buy(cafe.token, member.id, vip.id)).errors).toBeUndefined();
    const offer = async (daysAhead: number) =>
      (
        await hub.must<{ createOffer: { offer: { id: string } } }>(
          'mutation($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }',
          { input: { title: `Soon ${daysAhead}`, kind: 'MULTIPLIER', multiplier: '2', validFrom: new Date(Date.now() + daysAhead * 86_400_000).toISOString() } },
          cafe.token,
        )
      ).createOffer.offer.id;
    const activate = (token: string, offerId: string) =>
      hub.query<{ activateOffer: { activation: { offerId: string } } }>('mutation($input: ActivateOfferInput!) { activateOffer(input: $input) { activation { offerId } } }', { input: { offerId } }, token);
    // Three days ahead: inside the plan's 7 days of early access.
    const soon = await offer(3);
    expect((await activate(plain.token, soon)).errors?.[0]?.extensions?.code).toBe('OFFER_NOT_AVAILABLE');
    const early = await activate(member.token, soon);
    expect(early.errors).toBeUndefined();
    expect((await earn(cafe.token, member.id, '100.00')).awards).toEqual([
      { kind: 'BASE', points: 100, fundedBy: { id: cafe.id }, ruleId: null },
      { kind: 'OFFER', points: 100, fundedBy: { id: cafe.id }, ruleId: soon },
      { kind: 'MEMBERSHIP', points: 75, fundedBy: null, ruleId: vip.id },
    ]);
    // Ten days ahead: not yet, even for the plan's members.
    expect((await activate(member.token, await offer(10))).errors?.[0]?.extensions?.code).toBe('OFFER_NOT_AVAILABLE');
    // The partners subgraph's early-access read is for the points service's credential only.
    const direct = await hub.query('query($id: ID!) { offerForEarlyAccess(id: $id) { id } }', { id: soon }, await hub.admin(), 'partners');
    expect(direct.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('monthly bonus points', () => {
  it('pays each running membership its bonus once per month of membership, from the marketing budget, even with two sweepers at once', async () => {
    const members = await Promise.all(Array.from({ length: 12 }, () => hub.seed.member(grocer.token)));
    for (const m of members) expect((await buy(grocer.token, m.id, vip.id)).errors).toBeUndefined();
    const bonuses = async (memberId: string) =>
      (
        await hub.db.query(
          `SELECT t.points, t.partner_id, t.unit_price, w.kind, w.funded_by, w.rule_id FROM points.membership_bonuses b JOIN points.memberships m ON m.id = b.membership_id
             JOIN points.transactions t ON t.id = b.transaction_id JOIN points.transaction_awards w ON w.transaction_id = t.id WHERE m.member_id = $1 ORDER BY b.month_start`,
          [memberId],
        )
      ).rows;
    const sweepWithTwo = async () => {
      const [a, b] = [sweeper(), sweeper()];
      let total = 0;
      for (;;) {
        const [x, y] = await Promise.all([a.sweepMonthlyBonuses(3), b.sweepMonthlyBonuses(3)]);
        total += x + y;
        if (x + y === 0) return total;
      }
    };
    // Every running membership in this database not paid yet is due (earlier tests' too, whose first month an earlier sweep paid).
    const due = await count(hub.db, 'points.memberships m', `period_end > now() AND NOT EXISTS (SELECT 1 FROM points.membership_bonuses b WHERE b.membership_id = m.id)`);
    expect(due).toBeGreaterThanOrEqual(12);
    expect(await sweepWithTwo()).toBe(due);
    for (const m of members) expect(await bonuses(m.id)).toEqual([{ points: '100', partner_id: null, unit_price: '0.004000', kind: 'MEMBERSHIP', funded_by: null, rule_id: vip.id }]);
    expect(await sweepWithTwo()).toBe(0);
    // A month and a day of membership later, the next month's bonus (once); an ended membership gets none.
    await age(members[0].id, 1, 1);
    await age(members[1].id, 13);
    expect(await sweepWithTwo()).toBe(1);
    expect((await bonuses(members[0].id)).map((b) => b.points)).toEqual(['100', '100']);
    expect(await bonuses(members[1].id)).toHaveLength(1);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});

describe('the fee in settlement', () => {
  it("is owed by the partner that sold it, in its statement (membershipFees, totalOwed = net + fees) and not in another partner's", async () => {
    const seller = await hub.seed.partner({ currency: 'NOK' });
    const bystander = await hub.seed.partner({ currency: 'NOK' });
    const [a, b] = [await hub.seed.member(seller.token), await hub.seed.member(seller.token)];
    await buy(seller.token, a.id, vip.id);
    await buy(seller.token, b.id, vip.id);
    await hub.seed.earn(bystander.token, a.id, '10.00', 'NOK');
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const statement = async (p: { id: string; token: string }) =>
      (
        await hub.must<{ settlementStatement: { net: { amount: string }; membershipFees: { count: number; value: { amount: string; currency: string } }; totalOwed: { amount: string } } }>(
          'query($p: ID!, $f: String!, $t: String!) { settlementStatement(partnerId: $p, from: $f, to: $t) { net { amount } membershipFees { count value { amount currency } } totalOwed { amount } } }',
          { p: p.id, f: from, t: to },
          p.token,
        )
      ).settlementStatement;
    expect(await statement(seller)).toEqual({ net: { amount: '0.00' }, membershipFees: { count: 2, value: { amount: '1980.00', currency: 'NOK' } }, totalOwed: { amount: '1980.00' } });
    const other = await statement(bystander);
    expect(other.membershipFees).toEqual({ count: 0, value: { amount: '0.00', currency: 'NOK' } });
    expect(other.totalOwed).toEqual(other.net);
    // A sale the coalition recorded itself (no till) is its own revenue: in the coalition statement, no partner's.
    const c = await hub.seed.member(seller.token);
    expect((await buy(await hub.admin(), c.id, vip.id)).data?.purchaseMembership.purchase.partner).toBeNull();
    const coalition = await hub.must<{ coalitionSettlement: { membershipFeesCollected: { count: number; value: { amount: string; currency: string } }[] } }>(
      'query($f: String!, $t: String!) { coalitionSettlement(from: $f, to: $t) { membershipFeesCollected { count value { amount currency } } } }',
      { f: from, t: to },
      await hub.admin(),
    );
    expect(coalition.coalitionSettlement.membershipFeesCollected).toEqual([{ count: 1, value: { amount: '990.00', currency: 'NOK' } }]);
    expect((await statement(seller)).membershipFees.count).toBe(2);
  });
});
