import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

const MERGE = 'mutation($input: MergeMembersInput!) { mergeMembers(input: $input) { source { id status mergedInto { id } } target { id status } } }';
const ME = '{ me { id status mergedInto { id } points { balance tier { qualifyingPoints } history(first: 50) { nodes { kind points } } } } }';
const BY_CARD = 'query($c: String!) { memberByCard(cardNumber: $c) { id } }';
const LINE = 'points value { amount currency } exactValue';
const FLOW = 'partner { id } points value { amount currency }';
const STATEMENT = `partner { id } pointsIssued issuedValue { amount currency } pointsHonoured reimbursementValue { amount currency } net { amount currency }
  earned { ${LINE} } refunded { ${LINE} } clawedBack { ${LINE} } redeemed { ${LINE} } returned { ${LINE} } breakage { ${LINE} } donated { ${LINE} }
  honouredByIssuer { ${FLOW} } issuedHonouredBy { ${FLOW} } unpricedPoints`;
// This month and the next: today's earns and the merge fall inside (statements span at most 400 days).
const now = new Date();
const FROM = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
const TO = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1)).toISOString();

type Merged = { mergeMembers: { source: { id: string; status: string; mergedInto: { id: string } | null }; target: { id: string; status: string } } };
type Me = { me: { status: string; mergedInto: { id: string } | null; points: { balance: number; tier: { qualifyingPoints: string }; history: { nodes: { kind: string; points: number }[] } } } };
const code = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

async function partner(hub: TestHub, issuePrice: string) {
  const data = await hub.must<{ createPartner: { partner: { id: string } } }>(
    'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner { id } } }',
    { input: { name: `P ${randomUUID()}`, currency: 'NOK', earnRate: '1', issuePrice: { amount: issuePrice, currency: 'NOK' }, reimbursement: { amount: '0.05', currency: 'NOK' } } },
    await hub.admin(),
  );
  const id = data.createPartner.partner.id;
  return { id, token: await hub.partnerToken(id) };
}

/** The economics a merge must not change: both partners' statements and the liability of every issuer. */
async function economics(hub: TestHub, partnerIds: string[]) {
  const admin = await hub.admin();
  const statements = [];
  for (const p of partnerIds) {
    statements.push(await hub.must(`query($p: ID!) { settlementStatement(partnerId: $p, from: "${FROM}", to: "${TO}") { ${STATEMENT} } }`, { p }, admin));
  }
  const liability = await hub.must<{ pointsLiability: { partner: { id: string } }[] }>(
    `{ pointsLiability(from: "${FROM}", to: "${TO}") { partner { id } outstandingPoints expiredPoints issueValue { amount currency } redemptionValue { amount currency } } }`,
    {},
    admin,
  );
  return { statements, liability: liability.pointsLiability.filter((l) => partnerIds.includes(l.partner.id)).sort((a, b) => (a.partner.id < b.partner.id ? -1 : 1)) };
}

describe('mergeMembers', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub({ env: { CLOSING_RECONCILE_INTERVAL_MS: '0' } });
  });
  afterAll(async () => hub?.stop());

  it("moves the source's points to the target lot by lot (issuers, prices and expiry kept: statements and liability identical), combines tier qualification, closes the source with mergedInto, and its card finds the target", async () => {
    const grocer = await partner(hub, '0.10');
    const fuel = await partner(hub, '0.07');
    const source = await hub.seed.member(grocer.token);
    const target = await hub.seed.member(grocer.token);
    await hub.seed.earn(grocer.token, source.id, '300.00', 'NOK');
    await hub.seed.earn(fuel.token, source.id, '200.00', 'NOK');
    await hub.seed.earn(grocer.token, target.id, '100.00', 'NOK');
    const ledger = ledgerClient(hub);
    expect(code(await ledger.redeem(fuel.token, source.id, 120, await ledger.code(source.token)))).toBeUndefined();
    const lotsBefore = await hub.db.query<{ partner_id: string; remaining: string; expires_at: Date; transaction_id: string }>(
      `SELECT l.partner_id, l.remaining::text, l.expires_at, l.transaction_id FROM points.lots l JOIN points.accounts a ON a.id = l.account_id
        WHERE a.owner_id = $1 AND l.remaining > 0 ORDER BY l.transaction_id`,
      [source.id],
    );
    const before = await economics(hub, [grocer.id, fuel.id]);

    const key = randomUUID();
    const merged = await hub.query<Merged>(MERGE, { input: { sourceMemberId: source.id, targetMemberId: target.id, idempotencyKey: key } }, await hub.admin());
    expect(merged.errors).toBeUndefined();
    expect(merged.data!.mergeMembers).toEqual({ source: { id: source.id, status: 'CLOSED', mergedInto: { id: target.id } }, target: { id: target.id, status: 'ACTIVE' } });
    const replay = await hub.query<Merged>(MERGE, { input: { sourceMemberId: source.id, targetMemberId: target.id, idempotencyKey: key } }, await hub.admin());
    expect(replay.data?.mergeMembers.source.status).toBe('CLOSED');

    // Settlement and liability are exactly what they were.
    expect(await economics(hub, [grocer.id, fuel.id])).toEqual(before);
    // Each lot moved whole: same earn, issuer and expiry, now the target's.
    const lotsAfter = await hub.db.query(
      `SELECT l.partner_id, l.remaining::text, l.expires_at, l.transaction_id FROM points.lots l JOIN points.accounts a ON a.id = l.account_id
        WHERE a.owner_id = $1 AND l.merged_from IS NOT NULL ORDER BY l.transaction_id`,
      [target.id],
    );
    expect(lotsAfter.rows).toEqual(lotsBefore.rows);
    expect(lotsBefore.rows.map((l) => Number(l.remaining)).sort()).toEqual([180, 200]);

    const targetMe = await hub.must<Me>(ME, {}, target.token);
    expect(targetMe.me.points.balance).toBe(480);
    expect(targetMe.me.points.history.nodes[0]).toEqual({ kind: 'MERGE', points: 380 });
    // Tier qualification combined: the target's earns (100) and the source's (500).
    expect(targetMe.me.points.tier.qualifyingPoints).toBe('600');
    const sourceMe = await hub.must<Me>(ME, {}, source.token);
    expect(sourceMe.me).toMatchObject({ status: 'CLOSED', mergedInto: { id: target.id }, points: { balance: 0 } });
    expect(sourceMe.me.points.history.nodes[0]).toEqual({ kind: 'MERGE', points: -380 });

    expect((await hub.must<{ memberByCard: { id: string } }>(BY_CARD, { c: source.cardNumber }, grocer.token)).memberByCard.id).toBe(target.id);
    // The source takes no more writes; the target does.
    const earn = await hub.query('mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }', { input: { memberId: source.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'x', idempotencyKey: randomUUID() } }, grocer.token);
    expect(code(earn)).toBe('MEMBER_CLOSED');
    await hub.seed.earn(grocer.token, target.id, '10.00', 'NOK');
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('open holds on the source refuse the merge (OPEN_HOLDS) and change nothing; only the admin merges; a member into itself or a closed one is refused', async () => {
    const grocer = await partner(hub, '0.10');
    const source = await hub.seed.member(grocer.token);
    const target = await hub.seed.member(grocer.token);
    await hub.seed.earn(grocer.token, source.id, '50.00', 'NOK');
    const ledger = ledgerClient(hub);
    const hold = await ledger.authorize(grocer.token, source.id, 20, await ledger.code(source.token));
    const admin = await hub.admin();
    const refused = await hub.query(MERGE, { input: { sourceMemberId: source.id, targetMemberId: target.id, idempotencyKey: randomUUID() } }, admin);
    expect(code(refused)).toBe('OPEN_HOLDS');
    expect((await hub.must<Me>(ME, {}, source.token)).me).toMatchObject({ status: 'ACTIVE', points: { balance: 50 } });
    expect(await count(hub.db, 'points.transactions', "member_id = $1 AND kind = 'MERGE'", [source.id])).toBe(0);

    expect(code(await hub.query(MERGE, { input: { sourceMemberId: source.id, targetMemberId: target.id, idempotencyKey: randomUUID() } }, source.token))).toBe('FORBIDDEN');
    expect(code(await hub.query(MERGE, { input: { sourceMemberId: source.id, targetMemberId: target.id, idempotencyKey: randomUUID() } }, grocer.token))).toBe('FORBIDDEN');
    const self = await hub.query(MERGE, { input: { sourceMemberId: source.id, targetMemberId: source.id, idempotencyKey: randomUUID() } }, admin);
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'targetMemberId' });

    await ledger.void(grocer.token, hold.data!.authorizeRedemption.hold.id);
    const closedTarget = await hub.seed.member(grocer.token);
    await hub.must('mutation($input: CloseMembershipInput!) { closeMembership(input: $input) { member { id } } }', { input: { remainingPoints: 'FORFEIT', idempotencyKey: randomUUID() } }, closedTarget.token);
    expect(code(await hub.query(MERGE, { input: { sourceMemberId: source.id, targetMemberId: closedTarget.id, idempotencyKey: randomUUID() } }, admin))).toBe('MEMBER_CLOSED');
    const done = await hub.query<Merged>(MERGE, { input: { sourceMemberId: source.id, targetMemberId: target.id, idempotencyKey: randomUUID() } }, admin);
    expect(done.data?.mergeMembers.source.mergedInto?.id).toBe(target.id);
  });
});

describe('mergeMembers across a crash between the two subgraphs\' writes', () => {
  let hub: TestHub;
  beforeAll(async () => {
    // Members stops once right after the ledger merged the accounts, before it records the merge.
    hub = await startHub({ env: { MEMBERS_CRASH_AT: 'ledger-call', CLOSING_RECONCILE_INTERVAL_MS: '100', CLOSING_RECONCILE_AFTER_MS: '300' } });
  });
  afterAll(async () => hub?.stop());

  it('is completed exactly once by the reconciler; a retry with the key answers the merge; ledgerCheck passes', async () => {
    const grocer = await partner(hub, '0.10');
    const source = await hub.seed.member(grocer.token);
    const target = await hub.seed.member(grocer.token);
    await hub.seed.earn(grocer.token, source.id, '70.00', 'NOK');
    const input = { sourceMemberId: source.id, targetMemberId: target.id, idempotencyKey: randomUUID() };
    const admin = await hub.admin();
    expect(code(await hub.query(MERGE, { input }, admin))).toBe('INTERNAL');
    // The ledger's write happened, the members' one not yet.
    expect(await count(hub.db, 'points.member_closings', 'closing_id IN (SELECT id FROM members.closings WHERE member_id = $1)', [source.id])).toBe(1);
    expect((await hub.db.query('SELECT status, merged_into FROM members.members WHERE id = $1', [source.id])).rows).toEqual([{ status: 'ACTIVE', merged_into: null }]);

    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await count(hub.db, 'members.closings', "member_id = $1 AND status = 'DONE'", [source.id])) === 0) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await hub.db.query('SELECT status, merged_into FROM members.members WHERE id = $1', [source.id])).rows).toEqual([{ status: 'CLOSED', merged_into: target.id }]);
    const retry = await hub.query<Merged>(MERGE, { input }, admin);
    expect(retry.data?.mergeMembers.source).toEqual({ id: source.id, status: 'CLOSED', mergedInto: { id: target.id } });
    expect(await count(hub.db, 'points.transactions', "kind = 'MERGE' AND member_id = ANY($1::uuid[])", [[source.id, target.id]])).toBe(2);
    expect(await count(hub.db, 'members.closings', 'member_id = $1', [source.id])).toBe(1);
    expect((await hub.must<Me>(ME, {}, target.token)).me.points.balance).toBe(70);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
    const check = await hub.must<{ ledgerCheck: { ok: boolean } }>('{ ledgerCheck { ok } }', {}, admin);
    expect(check.ledgerCheck.ok).toBe(true);
  });
});
