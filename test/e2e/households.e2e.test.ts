import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

/**
 * Households through the gateway, on a database of its own (the settlement check compares the whole
 * coalition's figures before and after a transfer): invitations and their rules, the cap, transfers within
 * the household only, the yearly limit, idempotency, concurrency, and settlement left as it was.
 */

let hub: TestHub;
let grocer: { id: string; token: string };
let fuel: { id: string; token: string };
type Member = { id: string; cardNumber: string; token: string };

const MAX = 3;
const LIMIT = 1000;

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { HOUSEHOLD_MAX_MEMBERS: String(MAX), HOUSEHOLD_TRANSFER_YEARLY_LIMIT: String(LIMIT), HOUSEHOLD_INVITATION_DAYS: '7' } });
  grocer = await hub.seed.partner({ currency: 'EUR', earnRate: '1' });
  fuel = await hub.seed.partner({ currency: 'EUR', earnRate: '1' });
});
afterAll(async () => hub?.stop());

const member = (name: string): Promise<Member> => hub.seed.member(grocer.token, { displayName: name });

const INVITATION = 'id status invitedBy inviteeMemberId expiresAt';
const HOUSEHOLD = 'id maxMembers members { memberId displayName } pendingInvitations { id inviteeMemberId } transferAllowance { yearlyLimit transferredThisYear remaining }';

type Invitation = { id: string; status: string; invitedBy: string; inviteeMemberId: string; expiresAt: string };
type Household = {
  id: string;
  maxMembers: number;
  members: { memberId: string; displayName: string }[];
  pendingInvitations: { id: string; inviteeMemberId: string }[];
  transferAllowance: { yearlyLimit: number; transferredThisYear: number; remaining: number };
};

const invite = (from: Member, to: { memberId?: string; cardNumber?: string }, key = randomUUID()) =>
  hub.query<{ inviteToHousehold: { invitation: Invitation } }>(
    `mutation($i: InviteToHouseholdInput!) { inviteToHousehold(input: $i) { invitation { ${INVITATION} } } }`,
    { i: { ...to, idempotencyKey: key } },
    from.token,
  );
const accept = (who: Member, invitationId: string) =>
  hub.query<{ acceptHouseholdInvitation: { household: Household } }>(
    `mutation($i: AnswerHouseholdInvitationInput!) { acceptHouseholdInvitation(input: $i) { household { ${HOUSEHOLD} } } }`,
    { i: { invitationId } },
    who.token,
  );
const decline = (who: Member, invitationId: string) =>
  hub.query<{ declineHouseholdInvitation: { invitation: Invitation } }>(
    `mutation($i: AnswerHouseholdInvitationInput!) { declineHouseholdInvitation(input: $i) { invitation { ${INVITATION} } } }`,
    { i: { invitationId } },
    who.token,
  );
const leave = (who: Member) => hub.query<{ leaveHousehold: { left: boolean } }>('mutation { leaveHousehold { left } }', {}, who.token);
const transfer = (from: Member, to: Member, points: number, key = randomUUID()) =>
  hub.query<{ transferPoints: { transfer: { id: string; points: number; fromMemberId: string; toMemberId: string }; transaction: { kind: string; points: number } } }>(
    'mutation($i: TransferPointsInput!) { transferPoints(input: $i) { transfer { id points fromMemberId toMemberId } transaction { kind points } } }',
    { i: { toMemberId: to.id, points, idempotencyKey: key } },
    from.token,
  );
const me = async (who: Member) =>
  (
    await hub.must<{ me: { household: Household | null; householdInvitations: Invitation[]; points: { balance: number; available: number } } }>(
      `{ me { household { ${HOUSEHOLD} } householdInvitations { ${INVITATION} } points { balance available } } }`,
      {},
      who.token,
    )
  ).me;
const code = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

/** Two members in one household: `a` invites `b`, `b` accepts. */
async function pair(aName: string, bName: string): Promise<[Member, Member]> {
  const [a, b] = await Promise.all([member(aName), member(bName)]);
  const sent = await invite(a, { memberId: b.id });
  expect(sent.errors).toBeUndefined();
  expect((await accept(b, sent.data!.inviteToHousehold.invitation.id)).errors).toBeUndefined();
  return [a, b];
}

describe('invitations', () => {
  it('forms a household by invitation (by card number) and acceptance, showing members only the names they showed it', async () => {
    const [kari, ola, stranger] = await Promise.all([member('Kari Nordmann'), member('Ola Nordmann'), member('Stranger')]);
    const sent = await invite(kari, { cardNumber: ola.cardNumber });
    expect(sent.errors).toBeUndefined();
    const invitation = sent.data!.inviteToHousehold.invitation;
    expect(invitation).toMatchObject({ status: 'PENDING', invitedBy: 'Kari Nordmann', inviteeMemberId: ola.id });
    // Seven days to answer (HOUSEHOLD_INVITATION_DAYS), by the database's clock.
    expect(Math.abs(Date.parse(invitation.expiresAt) - Date.now() - 7 * 86_400_000)).toBeLessThan(60_000);
    expect((await me(ola)).householdInvitations.map((i) => i.id)).toEqual([invitation.id]);
    expect((await me(kari)).household).toBeNull();

    // Only the invitee answers: anyone else (the inviter too) is told it does not exist.
    expect(code(await accept(stranger, invitation.id))).toBe('NOT_FOUND');
    expect(code(await accept(kari, invitation.id))).toBe('NOT_FOUND');
    expect(code(await decline(stranger, invitation.id))).toBe('NOT_FOUND');

    const accepted = await accept(ola, invitation.id);
    expect(accepted.errors).toBeUndefined();
    const household = accepted.data!.acceptHouseholdInvitation.household;
    expect(household.members).toEqual([
      { memberId: kari.id, displayName: 'Kari Nordmann' },
      { memberId: ola.id, displayName: 'Ola Nordmann' },
    ]);
    expect(household.maxMembers).toBe(MAX);
    // Accepting again answers the same household; the invitation is spent.
    expect((await accept(ola, invitation.id)).data?.acceptHouseholdInvitation.household.id).toBe(household.id);
    expect(code(await decline(ola, invitation.id))).toBe('ALREADY_FINALIZED');
    expect((await me(kari)).household?.id).toBe(household.id);
    expect((await me(ola)).householdInvitations).toEqual([]);
    expect((await me(stranger)).household).toBeNull();
    // Inviting someone already in the household.
    expect(code(await invite(kari, { memberId: ola.id }))).toBe('ALREADY_IN_HOUSEHOLD');

    // Nobody else reads the household: a partner looking the member up gets null, the admin sees it.
    const lookup = await hub.query<{ member: { household: unknown } }>('query($id: ID!) { member(id: $id) { household { id } } }', { id: kari.id }, grocer.token);
    expect(lookup.data?.member.household).toBeNull();
    const asAdmin = await hub.must<{ member: { household: { id: string } } }>('query($id: ID!) { member(id: $id) { household { id } } }', { id: kari.id }, await hub.admin());
    expect(asAdmin.member.household.id).toBe(household.id);
  });

  it('refuses inviting oneself, an unknown member, or without naming anyone; writes nothing', async () => {
    const solo = await member('Solo');
    const self = await invite(solo, { memberId: solo.id });
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'memberId' });
    expect(code(await invite(solo, { memberId: randomUUID() }))).toBe('NOT_FOUND');
    expect((await invite(solo, {})).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'memberId' });
    expect((await hub.db.query('SELECT 1 FROM points.household_invitations WHERE inviter_id = $1', [solo.id])).rowCount).toBe(0);
  });

  it('records a refusal, and lets an invitation expire', async () => {
    const [a, b, c] = await Promise.all([member('A'), member('B'), member('C')]);
    const toB = (await invite(a, { memberId: b.id })).data!.inviteToHousehold.invitation;
    const declined = await decline(b, toB.id);
    expect(declined.data?.declineHouseholdInvitation.invitation.status).toBe('DECLINED');
    expect(code(await accept(b, toB.id))).toBe('ALREADY_FINALIZED');
    expect((await me(b)).household).toBeNull();

    const toC = (await invite(a, { memberId: c.id })).data!.inviteToHousehold.invitation;
    await hub.db.query(`UPDATE points.household_invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [toC.id]);
    expect(code(await accept(c, toC.id))).toBe('INVITATION_EXPIRED');
    expect((await me(c)).householdInvitations).toEqual([]);
    // A new invitation replaces the expired one.
    const again = (await invite(a, { memberId: c.id })).data!.inviteToHousehold.invitation;
    expect(again.id).not.toBe(toC.id);
    expect((await accept(c, again.id)).errors).toBeUndefined();
  });

  it(`holds at most HOUSEHOLD_MAX_MEMBERS (${MAX}) members, and a member in one household cannot join another`, async () => {
    const [a, b] = await pair('Cap A', 'Cap B');
    const [c, d, e] = await Promise.all([member('Cap C'), member('Cap D'), member('Cap E')]);
    const toC = (await invite(a, { memberId: c.id })).data!.inviteToHousehold.invitation;
    const toD = (await invite(b, { memberId: d.id })).data!.inviteToHousehold.invitation;
    expect((await me(a)).household?.pendingInvitations.map((i) => i.inviteeMemberId).sort()).toEqual([c.id, d.id].sort());
    expect((await accept(c, toC.id)).data?.acceptHouseholdInvitation.household.members).toHaveLength(3);
    const full = await accept(d, toD.id);
    expect(code(full)).toBe('HOUSEHOLD_FULL');
    expect(full.errors?.[0]?.message).toBe(`A household holds at most ${MAX} members`);
    expect(code(await invite(a, { memberId: e.id }))).toBe('HOUSEHOLD_FULL');
    expect((await me(d)).household).toBeNull();

    // In a household already: leave first.
    const [x] = await pair('Other X', 'Other Y');
    const toX = (await invite(e, { memberId: x.id })).data!.inviteToHousehold.invitation;
    expect(code(await accept(x, toX.id))).toBe('ALREADY_IN_HOUSEHOLD');
    expect((await leave(x)).data?.leaveHousehold.left).toBe(true);
    expect((await accept(x, toX.id)).errors).toBeUndefined();
  });

  it('takes a closed membership out of its household (a household of one is dissolved) and withdraws its invitations', async () => {
    const [a, b] = await pair('Closing A', 'Closing B');
    const c = await member('Closing C');
    const toC = (await invite(a, { memberId: c.id })).data!.inviteToHousehold.invitation;
    const closed = await hub.query<{ closeMembership: { member: { status: string } } }>(
      'mutation($i: CloseMembershipInput!) { closeMembership(input: $i) { member { status } } }',
      { i: { remainingPoints: 'FORFEIT', idempotencyKey: randomUUID() } },
      a.token,
    );
    expect(closed.data?.closeMembership.member.status).toBe('CLOSED');
    expect((await me(b)).household).toBeNull();
    expect((await hub.db.query('SELECT 1 FROM points.household_members WHERE member_id = ANY($1::uuid[])', [[a.id, b.id]])).rowCount).toBe(0);
    expect((await me(c)).householdInvitations).toEqual([]);
    expect(code(await accept(c, toC.id))).toBe('ALREADY_FINALIZED');
  });

  it('an erased member leaves their household and no household row keeps their name', async () => {
    const [a, b] = await pair('Erase Keeper', 'Erase Gone Nordvik');
    const c = await member('Erase Third');
    const toC = (await invite(b, { memberId: c.id })).data!.inviteToHousehold.invitation;
    const erased = await hub.query<{ eraseMember: { erasure: { completed: boolean } } }>(
      'mutation($i: EraseMemberInput!) { eraseMember(input: $i) { erasure { completed } } }',
      { i: { memberId: b.id, idempotencyKey: randomUUID() } },
      await hub.admin(),
    );
    expect(erased.data?.eraseMember.erasure.completed).toBe(true);
    // A household of one is dissolved; the invitation b sent is withdrawn and no longer carries b's name.
    expect((await me(a)).household).toBeNull();
    expect(code(await accept(c, toC.id))).toBe('ALREADY_FINALIZED');
    for (const table of ['household_members', 'household_invitations']) {
      const hits = await hub.db.query(`SELECT 1 FROM points.${table} t WHERE strpos(row_to_json(t)::text, 'Nordvik') > 0`);
      expect([table, hits.rowCount]).toEqual([table, 0]);
    }
  });

  it('never passes the cap when invitees accept at once', async () => {
    const [a, b] = await pair('Race A', 'Race B');
    const invitees = await Promise.all([1, 2, 3, 4, 5].map((n) => member(`Race ${n}`)));
    // Sent by both members: the household's own lock (not the inviter's) is what holds the cap.
    const sent = await Promise.all(invitees.map(async (m, i) => (await invite(i % 2 ? a : b, { memberId: m.id })).data!.inviteToHousehold.invitation.id));
    const answers = await Promise.all(invitees.map((m, i) => accept(m, sent[i])));
    expect(answers.filter((r) => !r.errors).length).toBe(MAX - 2);
    expect(answers.filter((r) => code(r) === 'HOUSEHOLD_FULL').length).toBe(invitees.length - (MAX - 2));
    expect((await me(b)).household?.members).toHaveLength(MAX);
  });
});

describe('transfers', () => {
  it('moves points lot by lot with their issuer and expiry, within the household only, idempotent by key', async () => {
    const [giver, taker] = await pair('Giver', 'Taker');
    const outsider = await member('Outsider');
    await hub.seed.earn(grocer.token, giver.id, '300.00', 'EUR');
    await hub.seed.earn(fuel.token, giver.id, '200.00', 'EUR');
    // The grocer's lot expires first: a transfer draws on it first, as any spend does.
    await hub.db.query(
      `UPDATE points.lots SET expires_at = now() + interval '30 days' WHERE partner_id = $1 AND account_id = (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $2)`,
      [grocer.id, giver.id],
    );
    const key = randomUUID();
    const sent = await transfer(giver, taker, 350, key);
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.transferPoints.transfer).toMatchObject({ points: 350, fromMemberId: giver.id, toMemberId: taker.id });
    expect(sent.data!.transferPoints.transaction).toEqual({ kind: 'TRANSFER', points: -350 });
    expect((await me(giver)).points.balance).toBe(150);
    expect((await me(taker)).points.balance).toBe(350);

    // The taker's lots: 300 of the grocer's, 50 of the fuel station's, each with its earn's expiry.
    const lots = await hub.db.query<{ partner_id: string; points: string; same_expiry: boolean; same_earn: boolean }>(
      `SELECT l.partner_id, l.points::text, l.expires_at = s.expires_at AS same_expiry, l.transaction_id = s.transaction_id AS same_earn
         FROM points.lots l JOIN points.lots s ON s.id = l.transferred_from
        WHERE l.account_id = (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1) ORDER BY l.points DESC`,
      [taker.id],
    );
    expect(lots.rows).toEqual([
      { partner_id: grocer.id, points: '300', same_expiry: true, same_earn: true },
      { partner_id: fuel.id, points: '50', same_expiry: true, same_earn: true },
    ]);
    const history = await hub.must<{ me: { points: { history: { nodes: { kind: string; points: number; reference: string }[] } } } }>(
      '{ me { points { history(first: 1) { nodes { kind points reference } } } } }',
      {},
      taker.token,
    );
    expect(history.me.points.history.nodes[0]).toEqual({ kind: 'TRANSFER', points: 350, reference: `household transfer from member ${giver.id}` });

    // The same key answers the same transfer; with other points it is refused.
    const replay = await transfer(giver, taker, 350, key);
    expect(replay.data?.transferPoints.transfer.id).toBe(sent.data!.transferPoints.transfer.id);
    expect(code(await transfer(giver, taker, 10, key))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await me(giver)).points.balance).toBe(150);

    // Outside the household, a member looks missing; to oneself is bad input; more than one has is refused.
    expect(code(await transfer(giver, outsider, 10))).toBe('NOT_FOUND');
    expect(code(await transfer(outsider, giver, 10))).toBe('NOT_FOUND');
    expect((await transfer(giver, giver, 10)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toMemberId' });
    expect((await transfer(giver, taker, 0)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'points' });
    expect(code(await transfer(giver, taker, 151))).toBe('INSUFFICIENT_POINTS');
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);

    // Leaving keeps what one holds; the household of two is dissolved, and transfers stop.
    expect((await leave(taker)).data?.leaveHousehold.left).toBe(true);
    expect((await me(taker)).points.balance).toBe(350);
    expect((await me(giver)).household).toBeNull();
    expect(code(await transfer(giver, taker, 10))).toBe('NOT_FOUND');
  });

  it(`limits what a member transfers per calendar year (HOUSEHOLD_TRANSFER_YEARLY_LIMIT ${LIMIT})`, async () => {
    const [a, b] = await pair('Limit A', 'Limit B');
    await hub.seed.earn(grocer.token, a.id, '2000.00', 'EUR');
    await hub.seed.earn(grocer.token, b.id, '100.00', 'EUR');
    expect((await transfer(a, b, 700)).errors).toBeUndefined();
    const over = await transfer(a, b, 301);
    expect(code(over)).toBe('TRANSFER_LIMIT_REACHED');
    expect(over.errors?.[0]?.message).toBe(`You may transfer 300 more points this year (limit ${LIMIT})`);
    expect((await me(a)).household?.transferAllowance).toEqual({ yearlyLimit: LIMIT, transferredThisYear: 700, remaining: 300 });
    expect((await transfer(a, b, 300)).errors).toBeUndefined();
    expect(code(await transfer(a, b, 1))).toBe('TRANSFER_LIMIT_REACHED');
    // The limit is per sender: b may still give.
    expect((await transfer(b, a, 50)).errors).toBeUndefined();
    // Last year's transfers do not count this year.
    await hub.db.query(`ALTER TABLE points.household_transfers DISABLE TRIGGER household_transfers_append_only`);
    await hub.db.query(`UPDATE points.household_transfers SET created_at = created_at - interval '1 year' WHERE sender_id = $1`, [a.id]);
    await hub.db.query(`ALTER TABLE points.household_transfers ENABLE TRIGGER household_transfers_append_only`);
    expect((await transfer(a, b, 1000)).errors).toBeUndefined();
  });

  it('never overspends under concurrent transfers, both ways', async () => {
    const [a, b] = await pair('Busy A', 'Busy B');
    await hub.seed.earn(grocer.token, a.id, '500.00', 'EUR');
    await hub.seed.earn(fuel.token, b.id, '200.00', 'EUR');
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => transfer(a, b, 100)),
      ...Array.from({ length: 10 }, () => transfer(b, a, 50)),
    ]);
    const ok = results.filter((r) => !r.errors);
    expect(results.every((r) => !r.errors || code(r) === 'INSUFFICIENT_POINTS')).toBe(true);
    const sentByA = ok.filter((r) => r.data!.transferPoints.transfer.fromMemberId === a.id).length * 100;
    const sentByB = ok.filter((r) => r.data!.transferPoints.transfer.fromMemberId === b.id).length * 50;
    expect(sentByA).toBeLessThanOrEqual(LIMIT);
    const [ma, mb] = [await me(a), await me(b)];
    expect(ma.points.balance).toBe(500 - sentByA + sentByB);
    expect(mb.points.balance).toBe(200 + sentByA - sentByB);
    expect(ma.points.balance).toBeGreaterThanOrEqual(0);
    expect(mb.points.balance).toBeGreaterThanOrEqual(0);
    expect(ma.points.balance + mb.points.balance).toBe(700);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('leaves settlement, liability and ageing as they were (partner and coalition lots alike)', async () => {
    const [a, b] = await pair('Settle A', 'Settle B');
    await hub.seed.earn(grocer.token, a.id, '120.00', 'EUR');
    await hub.must(
      'mutation($i: GrantPointsInput!) { grantPoints(input: $i) { transaction { id } } }',
      { i: { memberId: a.id, points: 80, reason: 'goodwill', reference: 'G-1', idempotencyKey: randomUUID() } },
      await hub.admin(),
    );
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
    const figures = async () =>
      hub.must(
        `query($f: String!, $t: String!) {
           coalitionSettlement(from: $f, to: $t) { pointsIssued pointsHonoured pointsExpired pointsIssuedByCoalition
             coalitionIssuance { issued { points exactValue } granted { points } honoured { points } }
             statements { partner { id } pointsIssued issuedValueExact pointsHonoured breakage { points } } }
           pointsLiability(from: $f, to: $t) { partner { id } outstandingPoints issueValue { amount currency } }
           pointsAgeing { partner { id } expiryMonth points }
           programmeKpis(from: $f, to: $t) { liabilityPoints pointsEarned pointsBurned } }`,
        { f: from, t: to },
        await hub.admin(),
      );
    const before = await figures();
    // Everything a holds (the grocer's 120 and the coalition's 80) moves to b.
    expect((await transfer(a, b, 200)).errors).toBeUndefined();
    expect(await figures()).toEqual(before);
    // And back again, part of it.
    expect((await transfer(b, a, 90)).errors).toBeUndefined();
    expect(await figures()).toEqual(before);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});
