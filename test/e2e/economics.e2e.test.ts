import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceService } from '../../subgraphs/points/src/services/maintenance.service';
import { formatMicros, parseMicros, roundHalfEven } from '../../subgraphs/points/src/domain/settlement.rules';
import { createLogger, currencyExponent } from '../../lib/src';
import { issuePoints } from '../../subgraphs/points/src/persistence/issuance.repository';
import { lockMemberAccount } from '../../subgraphs/points/src/persistence/ledger.repository';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';
import { MembershipService } from '../../subgraphs/points/src/services/membership.service';
import { type LedgerConfig } from '../../subgraphs/points/src/services/ledger.config';
import { type DirectoryClient } from '../../subgraphs/points/src/clients/directory.client';

/**
 * A month of mixed activity across three partners in three currencies (and a fourth, a spa, that only grants
 * goodwill and honours the coalition's points), with the coalition's marketing budget granting and paying a
 * welcome bonus, a member cashing out and a household transfer, a fifth (an arcade) sponsoring a game that costs
 * points to play beside a coalition game, on a database of its own so that the ledger's totals are exactly this
 * test's activity.
 */

let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;

type Partner = { id: string; token: string; currency: string };

const LINE = 'points value { amount currency } exactValue';
const FLOW = 'partner { id } points value { amount currency } exactValue';
const STATEMENT = `partner { id } pointsIssued issuedValue { amount currency } pointsHonoured reimbursementValue { amount currency }
  net { amount currency } currency from to issuedValueExact reimbursementValueExact roundingRemainder
  earned { ${LINE} } refunded { ${LINE} } clawedBack { ${LINE} } redeemed { ${LINE} } returned { ${LINE} } breakage { ${LINE} } donated { ${LINE} }
  granted { ${LINE} } bonuses { ${LINE} } cashedOut { ${LINE} } honouredFromCoalition { ${LINE} }
  honouredByIssuer { ${FLOW} } issuedHonouredBy { ${FLOW} } unpricedPoints`;

interface Line {
  points: string;
  value: { amount: string; currency: string };
  exactValue: string;
}
interface Flow extends Line {
  partner: { id: string };
}
interface Statement {
  partner: { id: string };
  pointsIssued: string;
  issuedValue: { amount: string; currency: string };
  pointsHonoured: string;
  reimbursementValue: { amount: string; currency: string };
  net: { amount: string; currency: string };
  currency: string;
  from: string;
  to: string;
  issuedValueExact: string;
  reimbursementValueExact: string;
  roundingRemainder: string;
  earned: Line;
  refunded: Line;
  clawedBack: Line;
  redeemed: Line;
  returned: Line;
  breakage: Line;
  donated: Line;
  granted: Line;
  bonuses: Line;
  cashedOut: Line;
  honouredFromCoalition: Line;
  honouredByIssuer: Flow[];
  issuedHonouredBy: Flow[];
  unpricedPoints: string;
}

const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
const nextMonth = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1));
const FROM = monthStart.toISOString();
const TO = nextMonth.toISOString();

const micros = (price: string, points: number | bigint) => parseMicros(price) * BigInt(points);
const exact = (m: bigint) => formatMicros(m, 6);
const money = (m: bigint, currency: string) => ({ amount: formatMicros(roundHalfEven(m, currencyExponent(currency)), currencyExponent(currency)), currency });

async function createPartner(name: string, currency: string, earnRate: string, issuePrice: string, reimbursement: string): Promise<Partner> {
  const data = await hub.must<{ createPartner: { partner: { id: string } } }>(
    'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
    { input: { name: `${name} ${randomUUID()}`, currency, earnRate, issuePrice: { amount: issuePrice, currency }, reimbursement: { amount: reimbursement, currency } } },
    await hub.admin(),
  );
  const id = data.createPartner.partner.id;
  return { id, currency, token: await hub.partnerToken(id) };
}

async function changeTerms(partner: Partner, issuePrice: string, reimbursement: string): Promise<void> {
  await hub.must(
    'mutation($input: UpdatePartnerTermsInput!) { updatePartnerTerms(input: $input) { terms { validFrom } } }',
    { input: { partnerId: partner.id, issuePrice: { amount: issuePrice, currency: partner.currency }, reimbursement: { amount: reimbursement, currency: partner.currency }, idempotencyKey: randomUUID() } },
    await hub.admin(),
  );
}

async function statement(partnerId: string, token: string, from = FROM, to = TO) {
  return hub.query<{ settlementStatement: Statement }>(
    `query($p: ID!, $f: String!, $t: String!) { settlementStatement(partnerId: $p, from: $f, to: $t) { ${STATEMENT} } }`,
    { p: partnerId, f: from, t: to },
    token,
  );
}

async function mustStatement(partner: Partner): Promise<Statement> {
  const result = await statement(partner.id, partner.token);
  expect(result.errors).toBeUndefined();
  return result.data!.settlementStatement;
}

/** Ledger totals straight from the database: points posted on each partner account and on breakage. */
async function ledgerTotals() {
  const { rows } = await hub.db.query<{ owner: string | null; kind: string; points: string }>(
    `SELECT a.owner_id::text AS owner, a.kind, sum(p.amount)::text AS points FROM points.postings p JOIN points.accounts a ON a.id = p.account_id
      JOIN points.transactions t ON t.id = p.transaction_id WHERE t.created_at >= $1 AND t.created_at < $2 AND a.kind <> 'MEMBER' GROUP BY 1, 2`,
    [FROM, TO],
  );
  const members = await hub.db.query<{ points: string }>(`SELECT coalesce(sum(balance), 0)::text AS points FROM points.accounts WHERE kind = 'MEMBER'`);
  const of = (kind: string, owner?: string) => rows.filter((r) => r.kind === kind && (owner === undefined || r.owner === owner)).reduce((n, r) => n + BigInt(r.points), 0n);
  return { of, memberBalances: BigInt(members.rows[0].points) };
}

/** Every settlement figure of the month, the liability and the ageing, as the admin reads them. */
async function monthFigures(): Promise<unknown> {
  return hub.must(
    `query($f: String!, $t: String!) {
       coalitionSettlement(from: $f, to: $t) { pointsIssued pointsHonoured pointsExpired pointsDonated pointsIssuedByCoalition pointsCashedOut
         coalitionIssuance { currency issued { ${LINE} } granted { ${LINE} } bonuses { ${LINE} } honoured { ${LINE} } breakage { ${LINE} } donated { ${LINE} } cashedOut { ${LINE} } }
         statements { ${STATEMENT} } }
       pointsLiability(from: $f, to: $t) { partner { id } outstandingPoints issueValue { amount currency } expiredPoints }
       pointsAgeing { partner { id } expiryMonth points } }`,
    { f: FROM, t: TO },
    await hub.admin(),
  );
}

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { MARKETING_POINT_PRICE: '0.004', CASHOUT_POINT_VALUE: '0.005', CASHOUT_MIN_POINTS: '100', COALITION_CURRENCY: 'EUR' } });
  ledger = ledgerClient(hub);
});
afterAll(async () => hub?.stop());

describe('settlement statements', () => {
  // Prices with 6 decimals, so that values fall between minor units and rounding is exercised.
  const G_OLD = { issue: '0.012345', reimb: '0.010101' };
  const G_NEW = { issue: '0.020007', reimb: '0.015003' };
  const F_OLD = { issue: '0.013333', reimb: '0.009999' };
  const F_NEW = { issue: '0.011111', reimb: '0.008888' };
  const C = { issue: '0.001111', reimb: '0.000987' };
  let grocer: Partner;
  let fuel: Partner;
  let cafe: Partner;
  let spa: Partner;
  const S = { issue: '0.002', reimb: '0.0015' };
  let arcade: Partner;
  const A = { issue: '0.003', reimb: '0.0025' };
  let statements: Record<'grocer' | 'fuel' | 'cafe' | 'spa' | 'arcade', Statement>;
  let fuelRedeemId: string;
  let m1Token: string;

  beforeAll(async () => {
    grocer = await createPartner('Grocer', 'NOK', '1', G_OLD.issue, G_OLD.reimb);
    fuel = await createPartner('Fuel', 'SEK', '1', F_OLD.issue, F_OLD.reimb);
    cafe = await createPartner('Cafe', 'EUR', '10', C.issue, C.reimb);
    const [m1, m2, m3, m4] = await Promise.all([1, 2, 3, 4].map(() => hub.seed.member(grocer.token)));

    // Earns at the first terms.
    const g1 = await hub.seed.earn(grocer.token, m1.id, '500.00', 'NOK');
    await hub.seed.earn(fuel.token, m1.id, '250.00', 'SEK');
    await hub.seed.earn(grocer.token, m2.id, '333.33', 'NOK');
    await hub.seed.earn(cafe.token, m2.id, '12.34', 'EUR');
    await hub.seed.earn(fuel.token, m3.id, '777.00', 'SEK');
    await hub.seed.earn(cafe.token, m4.id, '99.99', 'EUR');
    expect(g1.points).toBe(500);

    // Redemptions at other partners: fuel honours grocer's 500 and 100 of its own; the cafe honours
    // grocer's 333 and 67 of its own, and takes that return back later.
    const fuelRedeem = await ledger.redeem(fuel.token, m1.id, 600, await ledger.code(m1.token));
    expect(fuelRedeem.errors).toBeUndefined();
    fuelRedeemId = fuelRedeem.data!.redeemPoints.transaction.id;
    m1Token = m1.token;
    const cafeRedeem = await ledger.redeem(cafe.token, m2.id, 400, await ledger.code(m2.token));
    expect(cafeRedeem.errors).toBeUndefined();

    // Mid-month change of terms: postings from now on use the new prices, the earlier ones keep theirs.
    await changeTerms(grocer, G_NEW.issue, G_NEW.reimb);
    await changeTerms(fuel, F_NEW.issue, F_NEW.reimb);

    const g3 = await hub.seed.earn(grocer.token, m3.id, '200.00', 'NOK');
    await hub.seed.earn(fuel.token, m4.id, '100.00', 'SEK');
    const hold = await ledger.authorize(grocer.token, m4.id, 300, await ledger.code(m4.token));
    expect((await ledger.capture(grocer.token, hold.data!.authorizeRedemption.hold.id)).errors).toBeUndefined();

    // A refund of points the member already spent at fuel: 150 come back now, 350 become a clawback
    // that the member's next earn (at fuel, new price) repays.
    expect((await ledger.reverse(grocer.token, g1.id)).data?.reverseTransaction.transaction.points).toBe(-150);
    await hub.seed.earn(fuel.token, m1.id, '400.00', 'SEK');
    expect(await ledger.points(m1.token)).toMatchObject({ balance: 50 });
    // A return at the cafe.
    expect((await ledger.reverse(cafe.token, cafeRedeem.data!.redeemPoints.transaction.id)).errors).toBeUndefined();

    // A donation: m4 gives 50 points, drawn from its oldest lot (the cafe's, 699 left after grocer's capture).
    const charity = await hub.seed.charity();
    const gift = await hub.must<{ donatePoints: { donation: { status: string } } }>(
      'mutation($i: DonatePointsInput!) { donatePoints(input: $i) { donation { status } } }',
      { i: { charityId: charity.id, points: 50, idempotencyKey: randomUUID() } },
      m4.token,
    );
    expect(gift.donatePoints.donation.status).toBe('CONFIRMED');

    // Expiry of m3's lots (fuel 777 and grocer 200), then grocer refunds its 200: they come back from breakage.
    await hub.db.query(`UPDATE points.lots SET expires_at = now() - interval '1 second' WHERE account_id = (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1)`, [m3.id]);
    expect(await new MaintenanceService(hub.subgraphs.points!.dataSource, createLogger('test', 'silent')).expireLots()).toBe(977);
    expect((await ledger.reverse(grocer.token, g3.id)).data?.reverseTransaction.transaction.points).toBe(0);

    // Points without a purchase: the coalition's marketing budget grants m5 200 goodwill points and pays a
    // 50-point welcome bonus; the spa grants m5 30 at its own cost. m5 spends 100 at the spa (drawn on the
    // coalition's oldest lot) and cashes out 160 (the rest of the coalition's points, then 10 of the spa's).
    spa = await createPartner('Spa', 'EUR', '1', S.issue, S.reimb);
    const m5 = await hub.seed.member(grocer.token);
    const grant = (token: string, points: number) =>
      hub.must('mutation($i: GrantPointsInput!) { grantPoints(input: $i) { transaction { id } } }', { i: { memberId: m5.id, points, reason: 'goodwill', reference: `G-${points}`, idempotencyKey: randomUUID() } }, token);
    await grant(await hub.admin(), 200);
    await hub.subgraphs.points!.dataSource.transaction(async (manager) => {
      const account = await lockMemberAccount(manager, m5.id);
      await issuePoints(manager, { kind: 'BONUS', memberId: m5.id, memberAccountId: account!.id, issuer: { partnerId: null, unitPrice: '0.004', currency: 'EUR' }, points: 50n, reference: 'welcome', lifetimeMonths: 24, award: { kind: 'WELCOME', ruleId: null } });
    });
    await grant(await hub.partnerToken(spa.id, 'points:grant'), 30);
    expect((await ledger.redeem(spa.token, m5.id, 100, await ledger.code(m5.token))).errors).toBeUndefined();
    const cashout = await hub.query('mutation($i: RequestCashoutInput!) { requestCashout(input: $i) { cashout { id } } }', { i: { points: 160, iban: 'DE89370400440532013000', idempotencyKey: randomUUID() } }, m5.token);
    expect(cashout.errors).toBeUndefined();
    expect(await ledger.points(m5.token)).toMatchObject({ balance: 20 });

    // Games (README "Games"), always winning so the month is deterministic: m6 wins 40 in the coalition's
    // game (marketing budget), earns 100 at the arcade, then plays the arcade's game, which costs 40 (a
    // redemption the arcade honours, drawn on the coalition's lot) and pays a 25-point prize the arcade funds.
    arcade = await createPartner('Arcade', 'EUR', '10', A.issue, A.reimb);
    const m6 = await hub.seed.member(grocer.token);
    const playOnce = async (gameInput: Record<string, unknown>, token: string) => {
      const game = await hub.must<{ createGame: { game: { id: string } } }>('mutation($i: CreateGameInput!) { createGame(input: $i) { game { id } } }', { i: { name: 'Wheel', winChance: '1', budgetPoints: 1000, idempotencyKey: randomUUID(), ...gameInput } }, token);
      const gameId = game.createGame.game.id;
      await hub.must('query($g: ID!) { nextGamePlay(gameId: $g) { serverSeedHash } }', { g: gameId }, m6.token);
      const played = await hub.must<{ playGame: { play: { points: number } } }>('mutation($i: PlayGameInput!) { playGame(input: $i) { play { points } } }', { i: { gameId, clientSeed: 'month', idempotencyKey: randomUUID() } }, m6.token);
      return played.playGame.play.points;
    };
    expect(await playOnce({ prizes: [{ points: 40, weight: 1 }] }, await hub.admin())).toBe(40);
    await hub.seed.earn(arcade.token, m6.id, '10.00', 'EUR');
    expect(await playOnce({ prizes: [{ points: 25, weight: 1 }], costPoints: 40 }, arcade.token)).toBe(25);
    expect(await ledger.points(m6.token)).toMatchObject({ balance: 125 });
    // A household: m4 invites m5 (by card), m5 accepts, m4 gives m5 700 points (the cafe's 649 left and 51 of
    // fuel's). The points keep their issuers and expiries: every figure of the month reads the same after.
    const before = await monthFigures();
    const invited = await hub.must<{ inviteToHousehold: { invitation: { id: string } } }>(
      'mutation($i: InviteToHouseholdInput!) { inviteToHousehold(input: $i) { invitation { id } } }',
      { i: { cardNumber: m5.cardNumber, idempotencyKey: randomUUID() } },
      m4.token,
    );
    await hub.must('mutation($i: AnswerHouseholdInvitationInput!) { acceptHouseholdInvitation(input: $i) { household { id } } }', { i: { invitationId: invited.inviteToHousehold.invitation.id } }, m5.token);
    await hub.must('mutation($i: TransferPointsInput!) { transferPoints(input: $i) { transfer { id } } }', { i: { toMemberId: m5.id, points: 700, idempotencyKey: randomUUID() } }, m4.token);
    expect([(await ledger.points(m4.token)).balance, (await ledger.points(m5.token)).balance]).toEqual([49, 720]);
    expect(await monthFigures()).toEqual(before);

    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
    statements = { grocer: await mustStatement(grocer), fuel: await mustStatement(fuel), cafe: await mustStatement(cafe), spa: await mustStatement(spa), arcade: await mustStatement(arcade) };
  });

  it("gives each partner the issued, honoured and breakage figures the ledger holds for it", async () => {
    const totals = await ledgerTotals();
    for (const [name, partner] of [['grocer', grocer], ['fuel', fuel], ['cafe', cafe], ['spa', spa], ['arcade', arcade]] as const) {
      const s = statements[name];
      expect(s.partner.id).toBe(partner.id);
      expect(s.currency).toBe(partner.currency);
      expect(BigInt(s.pointsIssued)).toBe(-totals.of('PARTNER_ISSUED', partner.id));
      expect(BigInt(s.pointsHonoured)).toBe(totals.of('PARTNER_HONOURED', partner.id));
      expect(BigInt(s.earned.points) - BigInt(s.refunded.points) - BigInt(s.clawedBack.points) + BigInt(s.granted.points) + BigInt(s.bonuses.points)).toBe(BigInt(s.pointsIssued));
      expect(BigInt(s.redeemed.points) - BigInt(s.returned.points)).toBe(BigInt(s.pointsHonoured));
      // Every honoured point traces back to its issuer.
      expect(s.honouredByIssuer.reduce((n, f) => n + BigInt(f.points), 0n) + BigInt(s.honouredFromCoalition.points)).toBe(BigInt(s.pointsHonoured));
      expect(s.unpricedPoints).toBe('0');
    }
    // What the scenario did, point by point.
    expect(statements.grocer).toMatchObject({ pointsIssued: '333', pointsHonoured: '300' });
    expect(statements.grocer.earned.points).toBe('1033');
    expect(statements.grocer.refunded.points).toBe('350');
    expect(statements.grocer.clawedBack.points).toBe('350');
    expect(statements.grocer.breakage.points).toBe('0');
    expect(statements.fuel).toMatchObject({ pointsIssued: '1527', pointsHonoured: '600' });
    expect(statements.fuel.breakage.points).toBe('777');
    expect(statements.cafe).toMatchObject({ pointsIssued: '1122', pointsHonoured: '0' });
    expect(statements.cafe.redeemed.points).toBe('400');
    // The spa: 30 points granted at its own issue price, 100 of the coalition's honoured at its reimbursement.
    expect(statements.spa).toMatchObject({ pointsIssued: '30', pointsHonoured: '100', honouredByIssuer: [], issuedHonouredBy: [] });
    expect(statements.spa.granted).toMatchObject({ points: '30', exactValue: exact(micros(S.issue, 30)) });
    expect(statements.spa.honouredFromCoalition).toMatchObject({ points: '100', exactValue: exact(micros(S.reimb, 100)) });
    expect(statements.spa.net).toEqual(money(micros(S.issue, 30) - micros(S.reimb, 100), 'EUR'));
    expect(statements.spa.cashedOut).toMatchObject({ points: '10', exactValue: exact(micros(S.issue, 10)) });
    for (const s of [statements.grocer, statements.fuel, statements.cafe]) expect([s.granted.points, s.cashedOut.points]).toEqual(['0', '0']);
    for (const s of [statements.grocer, statements.fuel, statements.cafe, statements.spa]) expect(s.bonuses.points).toBe('0');
    // The arcade: 100 earned and a 25-point game prize at its issue price; the 40 a play cost, honoured at its
    // reimbursement, were the coalition's (its prize from the coalition's game).
    expect(statements.arcade).toMatchObject({ pointsIssued: '125', pointsHonoured: '40', honouredByIssuer: [], issuedHonouredBy: [] });
    expect(statements.arcade.bonuses).toMatchObject({ points: '25', exactValue: exact(micros(A.issue, 25)) });
    expect(statements.arcade.redeemed).toMatchObject({ points: '40', exactValue: exact(micros(A.reimb, 40)) });
    expect(statements.arcade.honouredFromCoalition.points).toBe('40');
    expect(statements.arcade.net).toEqual(money(micros(A.issue, 125) - micros(A.reimb, 40), 'EUR'));
    expect(statements.cafe.returned.points).toBe('400');
    expect([statements.grocer.donated.points, statements.fuel.donated.points, statements.cafe.donated.points]).toEqual(['0', '0', '50']);
    expect(statements.cafe.donated.exactValue).toBe(exact(micros(C.issue, 50)));
    // Donated over all partners is what the charities' accounts received in the period.
    expect(BigInt(statements.cafe.donated.points)).toBe(totals.of('CHARITY'));
    // Cross-partner flows from the lots each redemption drew on.
    expect(statements.fuel.honouredByIssuer.map((f) => [f.partner.id, f.points]).sort()).toEqual([[fuel.id, '100'], [grocer.id, '500']].sort());
    expect(statements.grocer.honouredByIssuer.map((f) => [f.partner.id, f.points])).toEqual([[cafe.id, '300']]);
    expect(statements.cafe.honouredByIssuer).toEqual([]);
    expect(statements.grocer.issuedHonouredBy.map((f) => [f.partner.id, f.points])).toEqual([[fuel.id, '500']]);
    expect(statements.cafe.issuedHonouredBy.map((f) => [f.partner.id, f.points])).toEqual([[grocer.id, '300']]);
    // Breakage over all partners is what the breakage account received in the period.
    const breakage = BigInt(statements.grocer.breakage.points) + BigInt(statements.fuel.breakage.points) + BigInt(statements.cafe.breakage.points);
    expect(breakage).toBe(totals.of('COALITION_BREAKAGE'));
  });

  it('records on each redemption its price and the issuers whose lots paid for it', async () => {
    const q = `query($id: ID!) { pointsTransaction(id: $id) { price { amount currency } provenance { issuer { id } points } } }`;
    type Tx = { pointsTransaction: { price: { amount: string; currency: string } | null; provenance: { issuer: { id: string }; points: number }[] | null } };
    const asAdmin = await hub.must<Tx>(q, { id: fuelRedeemId }, await hub.admin());
    expect(asAdmin.pointsTransaction.price).toEqual({ amount: F_OLD.reimb, currency: 'SEK' });
    expect(asAdmin.pointsTransaction.provenance?.map((p) => [p.issuer.id, p.points]).sort()).toEqual([[fuel.id, -100], [grocer.id, -500]].sort());
    const asPartner = await hub.must<Tx>(q, { id: fuelRedeemId }, fuel.token);
    expect(asPartner.pointsTransaction).toEqual({ price: { amount: F_OLD.reimb, currency: 'SEK' }, provenance: null });
    const asMember = await hub.must<Tx>(q, { id: fuelRedeemId }, m1Token);
    expect(asMember.pointsTransaction).toEqual({ price: null, provenance: null });
  });

  it('prices each posting at the rate in force when it was made, across a mid-month change', async () => {
    const g = statements.grocer;
    expect(g.earned.exactValue).toBe(exact(micros(G_OLD.issue, 833) + micros(G_NEW.issue, 200)));
    expect(g.refunded.exactValue).toBe(exact(micros(G_OLD.issue, 150) + micros(G_NEW.issue, 200)));
    expect(g.clawedBack.exactValue).toBe(exact(micros(G_OLD.issue, 350)));
    expect(g.issuedValueExact).toBe(exact(micros(G_OLD.issue, 333)));
    expect(g.reimbursementValueExact).toBe(exact(micros(G_NEW.reimb, 300)));
    const f = statements.fuel;
    expect(f.issuedValueExact).toBe(exact(micros(F_OLD.issue, 1027) + micros(F_NEW.issue, 500)));
    expect(f.reimbursementValueExact).toBe(exact(micros(F_OLD.reimb, 600)));
    expect(f.breakage.exactValue).toBe(exact(micros(F_OLD.issue, 777)));
    const c = statements.cafe;
    expect(c.issuedValueExact).toBe(exact(micros(C.issue, 1122)));
    expect(c.reimbursementValueExact).toBe(exact(0n));
    expect(c.issuedHonouredBy[0].exactValue).toBe(exact(micros(C.issue, 300)));
    expect(statements.grocer.honouredByIssuer[0].exactValue).toBe(exact(micros(G_NEW.reimb, 300)));

    // Changing the terms again afterwards reprices nothing already posted.
    await changeTerms(grocer, '0.5', '0.4');
    await changeTerms(fuel, '0.5', '0.4');
    expect(await mustStatement(grocer)).toEqual(statements.grocer);
    expect(await mustStatement(fuel)).toEqual(statements.fuel);
  });

  it('rounds each line once, half to even, and accounts for every fraction of a minor unit', async () => {
    for (const s of Object.values(statements)) {
      const e = currencyExponent(s.currency);
      const issued = parseMicros(s.issuedValueExact);
      const reimbursed = parseMicros(s.reimbursementValueExact);
      expect(s.issuedValue).toEqual(money(issued, s.currency));
      expect(s.reimbursementValue).toEqual(money(reimbursed, s.currency));
      const net = parseMicros(s.net.amount);
      expect(net).toBe(parseMicros(s.issuedValue.amount) - parseMicros(s.reimbursementValue.amount));
      // Exact net = rounded net + remainder, and the remainder is under one minor unit.
      expect(issued - reimbursed).toBe(net + parseMicros(s.roundingRemainder));
      expect(parseMicros(s.roundingRemainder) < 10n ** BigInt(6 - e)).toBe(true);
      expect(parseMicros(s.roundingRemainder) > -(10n ** BigInt(6 - e))).toBe(true);
    }
    // The scenario produces real remainders (otherwise this test would prove nothing about rounding).
    expect(Object.values(statements).some((s) => parseMicros(s.roundingRemainder) !== 0n)).toBe(true);
    // grocer: 333 × 0.012345 = 4.110885 NOK → 4.11, remainder 0.000885 less 300 × 0.015003 = 4.5009 → 4.50, remainder 0.0009.
    expect(statements.grocer.issuedValue).toEqual({ amount: '4.11', currency: 'NOK' });
    expect(statements.grocer.reimbursementValue).toEqual({ amount: '4.50', currency: 'NOK' });
    expect(statements.grocer.net).toEqual({ amount: '-0.39', currency: 'NOK' });
    expect(statements.grocer.roundingRemainder).toBe('-0.000015');
  });

  it('nets every partner in the coalition statement: the sum over all statements is the ledger total', async () => {
    const result = await hub.query<{
      coalitionSettlement: {
        pointsIssued: string;
        pointsHonoured: string;
        pointsExpired: string;
        pointsDonated: string;
        pointsIssuedByCoalition: string;
        pointsCashedOut: string;
        coalitionIssuance: Record<string, unknown>;
        cashouts: Line[];
        statements: Statement[];
        totals: { currency: string; pointsIssued: string; issuedValue: { amount: string }; issuedValueExact: string; pointsHonoured: string; reimbursementValue: { amount: string }; reimbursementValueExact: string; net: { amount: string }; roundingRemainder: string }[];
      };
    }>(
      `query($f: String!, $t: String!) { coalitionSettlement(from: $f, to: $t) { pointsIssued pointsHonoured pointsExpired pointsDonated pointsIssuedByCoalition pointsCashedOut
         coalitionIssuance { currency issued { ${LINE} } granted { ${LINE} } bonuses { ${LINE} } earnAwards { ${LINE} } honoured { ${LINE} } breakage { ${LINE} } donated { ${LINE} } cashedOut { ${LINE} } }
         cashouts { ${LINE} } statements { ${STATEMENT} }
         totals { currency pointsIssued issuedValue { amount } issuedValueExact pointsHonoured reimbursementValue { amount } reimbursementValueExact net { amount } roundingRemainder } } }`,
      { f: FROM, t: TO },
      await hub.admin(),
    );
    expect(result.errors).toBeUndefined();
    const c = result.data!.coalitionSettlement;
    // The coalition statement holds the same statements each partner reads (terms changed since: still equal).
    expect(c.statements.find((s) => s.partner.id === grocer.id)).toEqual(statements.grocer);
    expect(c.statements.find((s) => s.partner.id === cafe.id)).toEqual(statements.cafe);
    expect(c.statements).toHaveLength(5);
    const totals = await ledgerTotals();
    expect(BigInt(c.pointsIssued)).toBe(-totals.of('PARTNER_ISSUED'));
    expect(BigInt(c.pointsHonoured)).toBe(totals.of('PARTNER_HONOURED'));
    expect(BigInt(c.pointsExpired)).toBe(totals.of('COALITION_BREAKAGE'));
    expect(BigInt(c.pointsDonated)).toBe(totals.of('CHARITY'));
    expect(BigInt(c.pointsIssuedByCoalition)).toBe(-totals.of('COALITION_MARKETING'));
    expect(BigInt(c.pointsCashedOut)).toBe(totals.of('COALITION_CASHOUT'));
    expect([c.pointsIssuedByCoalition, c.pointsCashedOut]).toEqual(['290', '160']);
    // Conservation: every point issued (by partners or by the coalition's marketing budget) was honoured,
    // expired, donated, cashed out, or is still held by a member.
    expect(
      BigInt(c.pointsIssued) + BigInt(c.pointsIssuedByCoalition) - BigInt(c.pointsHonoured) - BigInt(c.pointsExpired) - BigInt(c.pointsDonated) - BigInt(c.pointsCashedOut),
    ).toBe(totals.memberBalances);
    // The marketing budget's own lines, at the marketing price, and the cashback owed at the cashout value.
    const eur = (m: bigint) => money(m, 'EUR');
    expect(c.coalitionIssuance).toEqual({
      currency: 'EUR',
      issued: { points: '290', value: eur(micros('0.004', 290)), exactValue: exact(micros('0.004', 290)) },
      granted: { points: '200', value: eur(micros('0.004', 200)), exactValue: exact(micros('0.004', 200)) },
      bonuses: { points: '90', value: eur(micros('0.004', 90)), exactValue: exact(micros('0.004', 90)) },
      earnAwards: { points: '0', value: eur(0n), exactValue: exact(0n) },
      honoured: { points: '140', value: eur(micros('0.004', 140)), exactValue: exact(micros('0.004', 140)) },
      breakage: { points: '0', value: eur(0n), exactValue: exact(0n) },
      donated: { points: '0', value: eur(0n), exactValue: exact(0n) },
      cashedOut: { points: '150', value: eur(micros('0.004', 150)), exactValue: exact(micros('0.004', 150)) },
    });
    expect(c.cashouts).toEqual([{ points: '160', value: eur(micros('0.005', 160)), exactValue: exact(micros('0.005', 160)) }]);
    // Money per currency from the snapshots, independently of the statements.
    const { rows } = await hub.db.query<{ currency: string; issued: string; honoured: string }>(
      `SELECT t.price_currency AS currency,
              coalesce(sum(CASE WHEN a.kind = 'PARTNER_ISSUED' THEN -p.amount * t.unit_price END), 0)::text AS issued,
              coalesce(sum(CASE WHEN a.kind = 'PARTNER_HONOURED' THEN p.amount * t.unit_price END), 0)::text AS honoured
         FROM points.postings p JOIN points.accounts a ON a.id = p.account_id JOIN points.transactions t ON t.id = p.transaction_id
        WHERE a.kind IN ('PARTNER_ISSUED', 'PARTNER_HONOURED') GROUP BY 1`,
    );
    expect(c.totals.map((t) => t.currency)).toEqual(['EUR', 'NOK', 'SEK']);
    for (const t of c.totals) {
      const row = rows.find((r) => r.currency === t.currency)!;
      expect(parseMicros(t.issuedValueExact)).toBe(parseMicros(row.issued));
      expect(parseMicros(t.reimbursementValueExact)).toBe(parseMicros(row.honoured));
      expect(parseMicros(t.issuedValueExact) - parseMicros(t.reimbursementValueExact)).toBe(parseMicros(t.net.amount) + parseMicros(t.roundingRemainder));
    }
  });

  it("answers another partner's statement exactly like a missing partner's, and validates the period", async () => {
    const other = await statement(fuel.id, grocer.token);
    const missing = await statement(randomUUID(), grocer.token);
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(other.data).toBeNull();
    expect({ ...other.errors![0], extensions: { code: other.errors![0].extensions!.code } }).toEqual({ ...missing.errors![0], extensions: { code: missing.errors![0].extensions!.code } });
    expect((await statement(randomUUID(), await hub.admin())).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Without reports:read, or as a member: refused by scope, for any partner.
    expect((await statement(grocer.id, await hub.partnerToken(grocer.id, 'points:earn'))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await statement(grocer.id, await hub.memberToken(randomUUID()))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The coalition statement is the admin's only.
    expect((await hub.query(`{ coalitionSettlement(from: "${FROM}", to: "${TO}") { pointsIssued } }`, {}, grocer.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await statement(grocer.id, grocer.token, 'yesterday')).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    expect((await statement(grocer.id, grocer.token, TO, FROM)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    // A period with no activity is a statement of zeros in the partner's currency.
    const empty = await statement(grocer.id, grocer.token, '2001-01-01T00:00:00Z', '2001-02-01T00:00:00Z');
    expect(empty.data?.settlementStatement).toMatchObject({ pointsIssued: '0', net: { amount: '0.00', currency: 'NOK' }, roundingRemainder: '0.000000' });
  });

  it('reports liability per issuer and the ageing of outstanding lots', async () => {
    const result = await hub.query<{ pointsLiability: { partner: { id: string }; outstandingPoints: string; issueValue: { amount: string }; expiredPoints: string }[]; pointsAgeing: { partner: { id: string }; expiryMonth: string; points: string }[] }>(
      `query($f: String!, $t: String!) { pointsLiability(from: $f, to: $t) { partner { id } outstandingPoints issueValue { amount } expiredPoints } pointsAgeing { partner { id } expiryMonth points } }`,
      { f: FROM, t: TO },
      await hub.admin(),
    );
    expect(result.errors).toBeUndefined();
    // Lots of the coalition's marketing budget (no partner) are not a partner's liability; in this scenario none is left.
    expect((await hub.db.query('SELECT coalesce(sum(remaining), 0)::int AS r FROM points.lots WHERE partner_id IS NULL')).rows[0].r).toBe(0);
    const { rows } = await hub.db.query<{ partner_id: string; points: string }>('SELECT partner_id::text, sum(remaining)::text AS points FROM points.lots WHERE partner_id IS NOT NULL GROUP BY 1');
    const liability = result.data!.pointsLiability;
    for (const row of rows) expect(liability.find((l) => l.partner.id === row.partner_id)?.outstandingPoints).toBe(row.points);
    const totals = await ledgerTotals();
    expect(liability.reduce((n, l) => n + BigInt(l.outstandingPoints), 0n)).toBe(totals.memberBalances);
    expect(liability.find((l) => l.partner.id === fuel.id)?.expiredPoints).toBe('777');
    // What members hold of each issuer, in this scenario: grocer 333 (m2's, returned), fuel 50 + 100, cafe 56 + 67 + 649 (699 less 50 donated).
    expect(liability.find((l) => l.partner.id === grocer.id)).toMatchObject({ outstandingPoints: '333', issueValue: { amount: '4.11' } });
    expect(liability.find((l) => l.partner.id === fuel.id)?.outstandingPoints).toBe('150');
    expect(liability.find((l) => l.partner.id === cafe.id)?.outstandingPoints).toBe('772');
    const ageing = result.data!.pointsAgeing;
    expect(ageing.reduce((n, b) => n + BigInt(b.points), 0n)).toBe(totals.memberBalances);
    expect(ageing.every((b) => /^\d{4}-\d{2}$/.test(b.expiryMonth))).toBe(true);
    // A partner reads its own liability only.
    const own = await hub.query<{ pointsLiability: { outstandingPoints: string }[] }>(`query($p: ID!) { pointsLiability(partnerId: $p, from: "${FROM}", to: "${TO}") { outstandingPoints } }`, { p: grocer.id }, grocer.token);
    expect(own.data?.pointsLiability).toEqual([{ outstandingPoints: '333' }]);
    const foreign = await hub.query(`query($p: ID!) { pointsLiability(partnerId: $p, from: "${FROM}", to: "${TO}") { outstandingPoints } }`, { p: fuel.id }, grocer.token);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await hub.query(`{ pointsAgeing { points } }`, {}, grocer.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('downloads a statement as CSV with the same token and the same access rules', async () => {
    const url = (params: Record<string, string>) => `${new URL('/reports/settlement.csv', hub.gatewayUrl).toString()}?${new URLSearchParams(params).toString()}`;
    const get = (params: Record<string, string>, token?: string) => fetch(url(params), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const ok = await get({ partnerId: grocer.id, from: FROM, to: TO }, grocer.token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(ok.headers.get('content-disposition')).toMatch(/^attachment; filename="settlement-/);
    const text = await ok.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = text.trimEnd().split('\r\n').map((line) => line.split(','));
    expect(rows[0]).toEqual(['partner_id', 'currency', 'from', 'to', 'line', 'counterparty_partner_id', 'points', 'amount', 'exact_amount', 'store_id']);
    const line = (name: string) => rows.find((r) => r[4] === name)!;
    const s = statements.grocer;
    expect(line('issued')).toEqual([grocer.id, 'NOK', s.from, s.to, 'issued', '', '333', s.issuedValue.amount, s.issuedValueExact, '']);
    expect(line('honoured').slice(6, 9)).toEqual(['300', s.reimbursementValue.amount, s.reimbursementValueExact]);
    expect(line('net').slice(7)).toEqual(['-0.39', '', '']);
    expect(line('rounding_remainder')[8]).toBe('-0.000015');
    expect(line('honoured_from_issuer').slice(5, 7)).toEqual([cafe.id, '300']);
    expect(line('issued_honoured_by').slice(5, 7)).toEqual([fuel.id, '500']);
    // 16 lines, and membership_fees and total_owed (paid membership).
    expect(rows).toHaveLength(1 + 18 + s.honouredByIssuer.length + s.issuedHonouredBy.length);
    // The spa's grants, the coalition's points it honoured and its points cashed out are lines of their own.
    const spaRows = (await (await get({ partnerId: spa.id, from: FROM, to: TO }, await hub.admin())).text()).trimEnd().split('\r\n').map((l) => l.split(','));
    const spaLine = (name: string) => spaRows.find((r) => r[4] === name)!.slice(6, 9);
    expect(spaLine('granted')).toEqual(['30', statements.spa.granted.value.amount, statements.spa.granted.exactValue]);
    expect(spaLine('honoured_from_coalition')).toEqual(['100', statements.spa.honouredFromCoalition.value.amount, statements.spa.honouredFromCoalition.exactValue]);
    expect(spaLine('cashed_out')).toEqual(['10', statements.spa.cashedOut.value.amount, statements.spa.cashedOut.exactValue]);
    expect(spaLine('bonuses')[0]).toBe('0');
    // A month by default: month=YYYY-MM is the same period.
    const month = `${monthStart.getUTCFullYear()}-${String(monthStart.getUTCMonth() + 1).padStart(2, '0')}`;
    const monthly = await get({ partnerId: grocer.id, month }, grocer.token);
    expect(monthly.status).toBe(200);
    expect(await monthly.text()).toBe(text);
    const badMonth = await get({ partnerId: grocer.id, month: '2026-13' }, grocer.token);
    expect(badMonth.status).toBe(400);
    expect(((await badMonth.json()) as { errors: { extensions: { field: string } }[] }).errors[0].extensions.field).toBe('month');
    // The admin downloads anyone's.
    expect((await get({ partnerId: fuel.id, from: FROM, to: TO }, await hub.admin())).status).toBe(200);

    // Refusals: no token, a bad token, another tenant (exactly like a missing partner), a bad parameter, no scope.
    expect((await get({ partnerId: grocer.id, from: FROM, to: TO })).status).toBe(401);
    expect((await get({ partnerId: grocer.id, from: FROM, to: TO }, 'not.a.token')).status).toBe(401);
    const foreign = await get({ partnerId: fuel.id, from: FROM, to: TO }, grocer.token);
    const missing = await get({ partnerId: randomUUID(), from: FROM, to: TO }, grocer.token);
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await foreign.text()).toBe(await missing.text());
    const noTo = await get({ partnerId: grocer.id, from: FROM }, grocer.token);
    expect(noTo.status).toBe(400);
    expect(((await noTo.json()) as { errors: { extensions: { field: string } }[] }).errors[0].extensions.field).toBe('to');
    const badFrom = await get({ partnerId: grocer.id, from: 'last-month', to: TO }, grocer.token);
    expect(badFrom.status).toBe(400);
    expect(((await badFrom.json()) as { errors: { extensions: { field: string } }[] }).errors[0].extensions.field).toBe('from');
    expect((await get({ partnerId: grocer.id, from: FROM, to: TO }, await hub.partnerToken(grocer.id, 'points:earn'))).status).toBe(403);
    expect((await fetch(url({ partnerId: grocer.id, from: FROM, to: TO }), { method: 'POST', headers: { authorization: `Bearer ${grocer.token}`, 'content-length': '0' } })).status).toBe(405);
  });
});

// ---- Paid membership in the month (issue 18, part 1). Runs after the block above, on the same ledger: ----
// a fee sold at one partner's till, a coalition-funded multiplier award in an earn at another, the
// plan's monthly bonus, and a redemption of those points. The fee is in the seller's statement only, net
// keeps its meaning, and the month still adds up.
describe('settlement statements with paid membership', () => {
  it("owes the fee in the seller's statement (totalOwed = net + fees), funds the multiplier from the marketing budget, and still adds up", async () => {
    const club = await createPartner('Club', 'EUR', '1', '0.002', '0.0015');
    const shop = await createPartner('Shop', 'EUR', '1', '0.003', '0.002');
    const plan = await hub.must<{ createMembershipPlan: { plan: { id: string } } }>(
      'mutation($input: CreateMembershipPlanInput!) { createMembershipPlan(input: $input) { plan { id } } }',
      { input: { name: 'VIP', price: { amount: '49.00', currency: 'EUR' }, periodMonths: 1, earnMultiplier: '2', monthlyBonusPoints: 30, idempotencyKey: randomUUID() } },
      await hub.admin(),
    );
    const planId = plan.createMembershipPlan.plan.id;
    const before = await coalition();
    const m = await hub.seed.member(club.token);
    await hub.must(
      'mutation($input: PurchaseMembershipInput!) { purchaseMembership(input: $input) { purchase { id } } }',
      { input: { memberId: m.id, planId, paymentReference: 'CARD-4711', idempotencyKey: randomUUID() } },
      club.token,
    );
    // 20 EUR at the shop: base 20 (the shop's), x2 adds 20 (the coalition's); then the plan's 30 monthly points.
    const earned = await hub.must<{ earnPoints: { awards: { kind: string; points: number; fundedBy: { id: string } | null }[] } }>(
      'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { awards { kind points fundedBy { id } } } }',
      { input: { memberId: m.id, purchase: { amount: '20.00', currency: 'EUR' }, reference: 'VIP-1', idempotencyKey: randomUUID() } },
      shop.token,
    );
    expect(earned.earnPoints.awards).toEqual([
      { kind: 'BASE', points: 20, fundedBy: { id: shop.id } },
      { kind: 'MEMBERSHIP', points: 20, fundedBy: null },
    ]);
    const config = { expiryMonths: 24, coalition: { timeZone: 'UTC', currency: 'EUR', marketingPointPrice: '0.004' } } as unknown as LedgerConfig;
    expect(await new MembershipService(hub.subgraphs.points!.dataSource, undefined as unknown as DirectoryClient, config).sweepMonthlyBonuses()).toBe(1);
    // The member spends 60 at the club: the oldest lots first (the shop's 20, the coalition's 20 and 20 of its 30).
    expect((await ledger.redeem(club.token, m.id, 60, await ledger.code(m.token))).errors).toBeUndefined();
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);

    const clubStatement = (await hub.query<{ settlementStatement: Statement & { membershipFees: { count: number; value: { amount: string; currency: string } }; totalOwed: { amount: string; currency: string } } }>(
      `query($p: ID!, $f: String!, $t: String!) { settlementStatement(partnerId: $p, from: $f, to: $t) { ${STATEMENT} membershipFees { count value { amount currency } } totalOwed { amount currency } } }`,
      { p: club.id, f: FROM, t: TO },
      club.token,
    )).data!.settlementStatement;
    expect(clubStatement.membershipFees).toEqual({ count: 1, value: { amount: '49.00', currency: 'EUR' } });
    // net keeps its meaning (issued − reimbursed, points only); the fee comes on top in totalOwed.
    expect(clubStatement).toMatchObject({ pointsIssued: '0', pointsHonoured: '60', net: money(-micros('0.0015', 60), 'EUR') });
    expect(parseMicros(clubStatement.totalOwed.amount)).toBe(parseMicros(clubStatement.net.amount) + parseMicros('49.00'));
    expect(clubStatement.honouredFromCoalition.points).toBe('40');
    const shopStatement = (await hub.query<{ settlementStatement: { pointsIssued: string; net: { amount: string }; membershipFees: { count: number }; totalOwed: { amount: string } } }>(
      'query($p: ID!, $f: String!, $t: String!) { settlementStatement(partnerId: $p, from: $f, to: $t) { pointsIssued net { amount } membershipFees { count } totalOwed { amount } } }',
      { p: shop.id, f: FROM, t: TO },
      shop.token,
    )).data!.settlementStatement;
    // The shop pays for its base points only; the multiplier's are the coalition's; no fee is the shop's.
    expect(shopStatement).toEqual({ pointsIssued: '20', net: { amount: money(micros('0.003', 20), 'EUR').amount }, membershipFees: { count: 0 }, totalOwed: { amount: money(micros('0.003', 20), 'EUR').amount } });

    // The marketing budget issued the multiplier (an earn award) and the monthly bonus; the month still adds up.
    const after = await coalition();
    expect(BigInt(after.coalitionIssuance.earnAwards.points) - BigInt(before.coalitionIssuance.earnAwards.points)).toBe(20n);
    expect(BigInt(after.coalitionIssuance.bonuses.points) - BigInt(before.coalitionIssuance.bonuses.points)).toBe(30n);
    const totals = await ledgerTotals();
    expect(
      BigInt(after.pointsIssued) + BigInt(after.pointsIssuedByCoalition) - BigInt(after.pointsHonoured) - BigInt(after.pointsExpired) - BigInt(after.pointsDonated) - BigInt(after.pointsCashedOut),
    ).toBe(totals.memberBalances);
    expect(after.totals.find((t) => t.currency === 'EUR')!.membershipFees).toEqual({ count: 1, value: { amount: '49.00' } });

    // The CSV shows the fee and what is owed in all.
    const csv = await (await fetch(`${new URL('/reports/settlement.csv', hub.gatewayUrl).toString()}?${new URLSearchParams({ partnerId: club.id, from: FROM, to: TO }).toString()}`, { headers: { authorization: `Bearer ${club.token}` } })).text();
    const csvRows = csv.trimEnd().split('\r\n').map((l) => l.split(','));
    expect(csvRows.find((r) => r[4] === 'membership_fees')!.slice(6, 9)).toEqual(['', '49.00', '49.00']);
    expect(csvRows.find((r) => r[4] === 'total_owed')![7]).toBe(clubStatement.totalOwed.amount);
  });

  async function coalition() {
    const LINE_ONLY = 'points';
    const result = await hub.query<{
      coalitionSettlement: {
        pointsIssued: string;
        pointsHonoured: string;
        pointsExpired: string;
        pointsDonated: string;
        pointsIssuedByCoalition: string;
        pointsCashedOut: string;
        coalitionIssuance: { earnAwards: { points: string }; bonuses: { points: string } };
        totals: { currency: string; membershipFees: { count: number; value: { amount: string } } }[];
      };
    }>(
      `query($f: String!, $t: String!) { coalitionSettlement(from: $f, to: $t) { pointsIssued pointsHonoured pointsExpired pointsDonated pointsIssuedByCoalition pointsCashedOut
         coalitionIssuance { earnAwards { ${LINE_ONLY} } bonuses { ${LINE_ONLY} } } totals { currency membershipFees { count value { amount } } } } }`,
      { f: FROM, t: TO },
      await hub.admin(),
    );
    expect(result.errors).toBeUndefined();
    return result.data!.coalitionSettlement;
  }
});
