import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, partnerChangeHeard, startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;
let admin: string;
let grocer: { id: string; token: string };

beforeAll(async () => {
  hub = await startHub();
  ledger = ledgerClient(hub);
  admin = await hub.admin();
  grocer = await hub.seed.partner({ currency: 'NOK' });
});
afterAll(async () => hub?.stop());

const ENROLL = 'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }';
const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }';

const setStatus = async (partnerId: string, mutation: 'suspendPartner' | 'reactivatePartner') => {
  const result = await hub.query<Record<string, { partner: { status: string } }>>(
    `mutation($id: ID!) { ${mutation}(input: { partnerId: $id }) { partner { status } } }`,
    { id: partnerId },
    admin,
  );
  expect(result.errors).toBeUndefined();
  // The earn keeps the calling partner per process until the change's notice is heard (milliseconds).
  await partnerChangeHeard();
  return result.data![mutation].partner.status;
};

const earn = (token: string, memberId: string, key: string = randomUUID()) =>
  hub.query<{ earnPoints: { transaction: { id: string; points: number } } }>(
    EARN,
    { input: { memberId, purchase: { amount: '100.00', currency: 'NOK' }, reference: `R-${key}`, idempotencyKey: key } },
    token,
  );

/** Rows a suspended partner's refused calls could have written, each owned by that partner or member. */
async function footprint(partnerId: string, memberId: string) {
  return {
    transactions: await count(hub.db, 'points.transactions', 'partner_id = $1', [partnerId]),
    memberTransactions: await count(hub.db, 'points.transactions', 'member_id = $1', [memberId]),
    holds: await count(hub.db, 'points.holds', 'partner_id = $1', [partnerId]),
    openHolds: await count(hub.db, 'points.holds', "partner_id = $1 AND status = 'OPEN'", [partnerId]),
    usedCodes: await count(hub.db, 'points.redemption_codes', 'member_id = $1 AND used_at IS NOT NULL', [memberId]),
    enrolled: await count(hub.db, 'members.members', 'enrolled_by_partner_id = $1', [partnerId]),
    partnerKeys: await count(hub.db, 'points.idempotency_keys', 'caller LIKE $1', [`%|${partnerId}`]),
  };
}

describe('a suspended partner', () => {
  it('can neither earn, redeem, hold, capture, reverse nor enroll, and writes nothing', async () => {
    const shop = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(grocer.token);
    const earned = (await earn(shop.token, member.id)).data!.earnPoints.transaction;
    const hold = (await ledger.authorize(shop.token, member.id, 20, await ledger.code(member.token))).data!.authorizeRedemption.hold;
    expect(await setStatus(shop.id, 'suspendPartner')).toBe('SUSPENDED');

    const before = await footprint(shop.id, member.id);
    const refusals = {
      earn: await earn(shop.token, member.id),
      redeem: await ledger.redeem(shop.token, member.id, 10, await ledger.code(member.token)),
      authorize: await ledger.authorize(shop.token, member.id, 10, await ledger.code(member.token)),
      capture: await ledger.capture(shop.token, hold.id),
      reverse: await ledger.reverse(shop.token, earned.id),
      enroll: await hub.query(ENROLL, { input: { email: `s-${randomUUID()}@example.com`, displayName: 'Nope', idempotencyKey: randomUUID() } }, shop.token),
    };
    for (const [operation, result] of Object.entries(refusals)) {
      expect(result.errors?.[0]?.extensions?.code, operation).toBe('PARTNER_SUSPENDED');
    }
    expect(await footprint(shop.id, member.id)).toEqual(before);
    expect(await ledger.points(member.token)).toEqual({ balance: 100, available: 80, pending: 20 });

    // Releasing a hold moves nothing and only gives the member back its points: still allowed.
    const voided = await ledger.void(shop.token, hold.id);
    expect(voided.data?.voidRedemption.hold.status).toBe('VOIDED');
    // The admin can still refund on the partner's behalf.
    const refund = await ledger.reverse(admin, earned.id);
    expect(refund.errors).toBeUndefined();
    expect(await ledger.points(member.token)).toEqual({ balance: 0, available: 0, pending: 0 });

    expect(await setStatus(shop.id, 'reactivatePartner')).toBe('ACTIVE');
    expect((await earn(shop.token, member.id)).errors).toBeUndefined();
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('still gets the stored answer when it replays an earn made before the suspension', async () => {
    const shop = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(grocer.token);
    const key = randomUUID();
    const first = await earn(shop.token, member.id, key);
    await setStatus(shop.id, 'suspendPartner');
    const replay = await earn(shop.token, member.id, key);
    expect(replay.data?.earnPoints.transaction.id).toBe(first.data?.earnPoints.transaction.id);
    expect(await count(hub.db, 'points.transactions', 'partner_id = $1', [shop.id])).toBe(1);
  });
});

const AUDIT_FIELDS = 'nodes { service operation targetId subject partnerId memberId idempotencyKey outcome requestId occurredAt } endCursor';
type Entry = { service: string; operation: string; targetId: string | null; partnerId: string | null; memberId: string | null; idempotencyKey: string | null; outcome: string; requestId: string };

describe('the audit log, through the gateway', () => {
  it('records each subgraph’s successes and refusals; a partner reads only its own calls', async () => {
    const shop = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(shop.token);
    const key = `earn-${randomUUID()}`;
    const earned = (await earn(shop.token, member.id, key)).data!.earnPoints.transaction;
    await setStatus(shop.id, 'suspendPartner');
    const refusedKey = `earn-${randomUUID()}`;
    expect((await earn(shop.token, member.id, refusedKey)).errors?.[0]?.extensions?.code).toBe('PARTNER_SUSPENDED');
    // Another partner's refused call, which the shop must not see.
    expect((await ledger.reverse(grocer.token, earned.id)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const adminView = await hub.query<{ pointsAuditLog: { nodes: Entry[] }; membersAuditLog: { nodes: Entry[] }; partnersAuditLog: { nodes: Entry[] } }>(
      `query($p: ID) { pointsAuditLog(partnerId: $p, first: 50) { ${AUDIT_FIELDS} } membersAuditLog(partnerId: $p) { ${AUDIT_FIELDS} }
        partnersAuditLog(operation: "suspendPartner", first: 100) { ${AUDIT_FIELDS} } }`,
      { p: shop.id },
      admin,
    );
    expect(adminView.errors).toBeUndefined();
    const points = adminView.data!.pointsAuditLog.nodes;
    expect(points.find((e) => e.idempotencyKey === key)).toMatchObject({
      service: 'points',
      operation: 'earnPoints',
      targetId: earned.id,
      partnerId: shop.id,
      outcome: 'OK',
    });
    expect(points.find((e) => e.idempotencyKey === refusedKey)).toMatchObject({ operation: 'earnPoints', targetId: member.id, outcome: 'PARTNER_SUSPENDED' });
    // Exactly one row per call: the atomic success is not written twice.
    expect(points.filter((e) => e.idempotencyKey === key)).toHaveLength(1);
    expect(adminView.data!.membersAuditLog.nodes).toEqual([expect.objectContaining({ operation: 'enrollMember', targetId: member.id, outcome: 'OK' })]);
    expect(adminView.data!.partnersAuditLog.nodes.find((e) => e.targetId === shop.id)).toMatchObject({ partnerId: null, outcome: 'OK' });

    const reports = await hub.partnerToken(shop.id, 'reports:read');
    const own = await hub.query<{ pointsAuditLog: { nodes: Entry[] } }>(`{ pointsAuditLog(first: 100) { ${AUDIT_FIELDS} } }`, {}, reports);
    expect(own.errors).toBeUndefined();
    expect(own.data!.pointsAuditLog.nodes.map((e) => e.outcome).sort()).toEqual(['OK', 'PARTNER_SUSPENDED']);
    expect(own.data!.pointsAuditLog.nodes.every((e) => e.partnerId === shop.id)).toBe(true);
    const grocerRows = await hub.query<{ pointsAuditLog: { nodes: Entry[] } }>(`{ pointsAuditLog(first: 100) { ${AUDIT_FIELDS} } }`, {}, await hub.partnerToken(grocer.id, 'reports:read'));
    expect(grocerRows.data!.pointsAuditLog.nodes.some((e) => e.outcome === 'NOT_FOUND' && e.targetId === earned.id)).toBe(true);
    expect(grocerRows.data!.pointsAuditLog.nodes.every((e) => e.partnerId === grocer.id)).toBe(true);

    const memberView = await hub.query(`{ pointsAuditLog { ${AUDIT_FIELDS} } }`, {}, member.token);
    expect(memberView.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
