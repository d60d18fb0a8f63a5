import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../support/hub';
import { signServiceToken } from '../support/keys';
import { ledgerClient } from '../support/ledger';

// Guessing redemption codes straight at the points subgraph's port, as the attack run did (72,000 a minute,
// and the real code still worked after 25,000 wrong ones).
const LIMITS = { REDEMPTION_CODE_MAX_FAILURES: '5', REDEMPTION_CODE_PARTNER_MAX_FAILURES: '20', REDEMPTION_CODE_FAILURE_WINDOW_SECONDS: '600' };
const REDEEM = 'mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { transaction { id points } } }';
const AUTHORIZE = 'mutation($input: AuthorizeRedemptionInput!) { authorizeRedemption(input: $input) { hold { id points } } }';

let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;
let issuer: { id: string; token: string };

beforeAll(async () => {
  hub = await startHub({ env: LIMITS });
  ledger = ledgerClient(hub);
  issuer = await hub.seed.partner();
});
afterAll(async () => hub?.stop());

async function memberWith(points: number) {
  const member = await hub.seed.member(issuer.token);
  await hub.seed.earn(issuer.token, member.id, `${points}.00`, 'NOK');
  return member;
}

/** A code for `memberId` straight at the points port (redeem or authorize, alternately); its error code or 'OK'. */
async function tryCode(partnerToken: string, memberId: string, code: string, operation: 'redeem' | 'authorize' = 'redeem'): Promise<string> {
  const input = { memberId, points: 10, redemptionCode: code, reference: `GUESS-${randomUUID()}`, idempotencyKey: randomUUID() };
  const result = await hub.query(operation === 'redeem' ? REDEEM : AUTHORIZE, { input }, partnerToken, 'points');
  return result.errors?.[0]?.extensions?.code ?? (result.data ? 'OK' : `status ${result.status}`);
}

/** An 8-digit code that is not `real`. */
const wrongCode = (real: string, i: number) => {
  const guess = String((Number(real) + 1 + i) % 100_000_000).padStart(8, '0');
  return guess === real ? '00000000' : guess;
};

const lockouts = (memberId: string) => count(hub.db, 'points.audit_log', "operation = 'redemptionCodeLockout' AND target_id = $1", [memberId]);

describe('wrong redemption codes, straight at the points port', () => {
  it("void the member's live codes at the 5th wrong one: the real code answers REDEMPTION_CODE_INVALID, a new one works, and it is audited", async () => {
    const member = await memberWith(500);
    const guesser = await hub.seed.partner();
    const real = await ledger.code(member.token);
    const other = await ledger.code(member.token);
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(await tryCode(guesser.token, member.id, wrongCode(real, i), i % 2 ? 'authorize' : 'redeem'));
    expect(outcomes).toEqual(Array(4).fill('REDEMPTION_CODE_INVALID'));
    // Four are counted, each in its own transaction though the spend that saw it rolled back; no code voided yet.
    expect(await count(hub.db, 'points.redemption_code_failures', 'member_id = $1', [member.id])).toBe(4);
    expect(await count(hub.db, 'points.redemption_codes', 'member_id = $1 AND voided_at IS NULL', [member.id])).toBe(2);
    expect(await lockouts(member.id)).toBe(0);

    expect(await tryCode(guesser.token, member.id, wrongCode(real, 4), 'authorize')).toBe('REDEMPTION_CODE_INVALID');
    expect(await count(hub.db, 'points.redemption_codes', 'member_id = $1 AND voided_at IS NOT NULL AND used_at IS NULL', [member.id])).toBe(2);
    // The real codes are void, for every partner and through the gateway too; nothing was spent or held.
    expect(await tryCode(guesser.token, member.id, real)).toBe('REDEMPTION_CODE_INVALID');
    expect((await ledger.redeem(issuer.token, member.id, 10, other)).errors?.[0]?.extensions?.code).toBe('REDEMPTION_CODE_INVALID');
    expect(await ledger.points(member.token)).toEqual({ balance: 500, available: 500, pending: 0 });

    const { rows } = await hub.db.query<{ partner_id: string; subject: string; outcome: string; request_id: string }>(
      "SELECT partner_id, subject, outcome, request_id FROM points.audit_log WHERE operation = 'redemptionCodeLockout' AND target_id = $1",
      [member.id],
    );
    expect(rows).toEqual([{ partner_id: guesser.id, subject: `client-${guesser.id}`, outcome: 'OK', request_id: expect.any(String) }]);
    // The refusal that reached the limit is in the log too, under the same request.
    expect(await count(hub.db, 'points.audit_log', "operation = 'authorizeRedemption' AND request_id = $1 AND outcome = 'REDEMPTION_CODE_INVALID'", [rows[0].request_id])).toBe(1);

    // The member makes a new code and it works. Counting starts again after the voiding: the two void codes
    // tried above and two more wrong ones make four, under the limit, and leave it alone.
    const fresh = await ledger.code(member.token);
    for (let i = 0; i < 2; i++) expect(await tryCode(guesser.token, member.id, wrongCode(fresh, i))).toBe('REDEMPTION_CODE_INVALID');
    const spent = await ledger.redeem(issuer.token, member.id, 30, fresh);
    expect(spent.errors).toBeUndefined();
    expect(spent.data?.redeemPoints.transaction.points).toBe(-30);
    expect(await lockouts(member.id)).toBe(1);
  });

  it('do not count a malformed code (it can match nothing), nor a right code the spend refuses for want of points', async () => {
    const member = await memberWith(20);
    const guesser = await hub.seed.partner();
    for (let i = 0; i < 6; i++) expect(await tryCode(guesser.token, member.id, `12-34-${i}`)).toBe('REDEMPTION_CODE_INVALID');
    const real = await ledger.code(member.token);
    const big = { memberId: member.id, points: 500, redemptionCode: real, reference: 'BIG', idempotencyKey: randomUUID() };
    expect((await hub.query(REDEEM, { input: big }, guesser.token, 'points')).errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_POINTS');
    expect(await count(hub.db, 'points.redemption_code_failures', 'member_id = $1', [member.id])).toBe(0);
    expect(await tryCode(guesser.token, member.id, real)).toBe('OK');
  });

  it("refuse a partner's code checks with RATE_LIMITED after 20 wrong ones across members, until they leave the window (database time)", async () => {
    const guesser = await hub.seed.partner();
    const members = await Promise.all(Array.from({ length: 5 }, () => memberWith(100)));
    const codes = await Promise.all(members.map((m) => ledger.code(m.token)));
    // Four wrong codes per member: under each member's limit, 20 for the partner.
    const outcomes: string[] = [];
    for (const [i, m] of members.entries()) for (let g = 0; g < 4; g++) outcomes.push(await tryCode(guesser.token, m.id, wrongCode(codes[i], g), g % 2 ? 'authorize' : 'redeem'));
    expect(outcomes).toEqual(Array(20).fill('REDEMPTION_CODE_INVALID'));
    expect(await count(hub.db, 'points.redemption_codes', 'member_id = ANY($1) AND voided_at IS NOT NULL', [members.map((m) => m.id)])).toBe(0);

    // Now even a right code is not looked at, and stays unused; refusals are not counted as failures.
    expect(await tryCode(guesser.token, members[0].id, codes[0])).toBe('RATE_LIMITED');
    expect(await tryCode(guesser.token, members[1].id, codes[1], 'authorize')).toBe('RATE_LIMITED');
    expect((await ledger.redeem(guesser.token, members[2].id, 10, codes[2])).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await count(hub.db, 'points.redemption_codes', 'member_id = ANY($1) AND used_at IS NOT NULL', [members.map((m) => m.id)])).toBe(0);
    expect(await count(hub.db, 'points.redemption_code_failures', 'partner_id = $1', [guesser.id])).toBe(20);
    expect(await count(hub.db, 'points.audit_log', "partner_id = $1 AND outcome = 'RATE_LIMITED'", [guesser.id])).toBe(3);
    // Another partner is not affected.
    expect(await tryCode(issuer.token, members[0].id, codes[0])).toBe('OK');

    // The window is the database's: once the failures are older than it, the partner may check codes again.
    await hub.db.query("UPDATE points.redemption_code_failures SET failed_at = failed_at - interval '601 seconds' WHERE partner_id = $1", [guesser.id]);
    expect(await tryCode(guesser.token, members[1].id, codes[1])).toBe('OK');
  });
});

describe("the subgraphs' own ports are rate-limited per caller", () => {
  // Budgets twice the gateway's on each subgraph port; the gateway's calls (in-process here, as under
  // `npm start`) are not counted there, so its own limit is the one its callers meet.
  const env = {
    ...LIMITS,
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_WINDOW_MS: '60000',
    RATE_LIMIT_PARTNER: '5',
    RATE_LIMIT_MEMBER: '100',
    // The admin's budget (it seeds two partners through the gateway); 6 on a subgraph port.
    RATE_LIMIT_OTHER: '3',
    RATE_LIMIT_ANONYMOUS: '2',
    SUBGRAPH_RATE_LIMIT_FACTOR: '2',
  };
  let limited: TestHub;
  beforeAll(async () => {
    limited = await startHub({ env, inProcessCalls: true });
  });
  afterAll(async () => limited?.stop());

  // A points query: through the gateway it reaches the points subgraph (a `__typename` would not).
  const LOOKUP = '{ pointsTransaction(id: "00000000-0000-0000-0000-000000000000") { id } }';
  const post = async (url: string, token?: string, query = LOOKUP) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? 'OK', retryAfter: response.headers.get('retry-after') };
  };

  it('answers RATE_LIMITED with HTTP 429 and Retry-After past a partner budget of factor x the gateway budget', async () => {
    const partner = await limited.seed.partner();
    // Through the gateway: its own budget of 5; the subgraph does not count the calls it hands over.
    const viaGateway = [];
    for (let i = 0; i < 6; i++) viaGateway.push((await post(limited.gatewayUrl, partner.token)).status);
    expect(viaGateway).toEqual([200, 200, 200, 200, 200, 429]);
    const direct = [];
    for (let i = 0; i < 11; i++) direct.push(await post(limited.urls.points, partner.token));
    expect(direct.slice(0, 10).map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(direct[10]).toEqual({ status: 429, code: 'RATE_LIMITED', retryAfter: expect.stringMatching(/^\d+$/) });
    // Budgets are per caller and per port: another partner, or the same partner on another subgraph, still passes.
    expect((await post(limited.urls.points, (await limited.seed.partner()).token)).status).toBe(200);
    expect((await post(limited.urls.members, partner.token, '{ __typename }')).status).toBe(200);
  });

  it("does not count the hub's own service credentials (relays and reconcilers) at a subgraph port", async () => {
    const service = await signServiceToken(limited.keys, 'donations', 'ledger:donate');
    const admin = await limited.admin();
    const statuses = { service: [] as number[], admin: [] as number[] };
    for (let i = 0; i < 8; i++) statuses.service.push((await post(limited.urls.points, service, '{ __typename }')).status);
    for (let i = 0; i < 7; i++) statuses.admin.push((await post(limited.urls.points, admin, '{ __typename }')).status);
    expect(statuses).toEqual({ service: Array(8).fill(200), admin: [200, 200, 200, 200, 200, 200, 429] });
  });

  it('throttles requests without a valid token per address: UNAUTHENTICATED, then RATE_LIMITED', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await post(limited.urls.partners, i % 2 ? 'not-a-token' : undefined));
    expect(results.map((r) => `${r.status} ${r.code}`)).toEqual([
      '401 UNAUTHENTICATED',
      '401 UNAUTHENTICATED',
      '401 UNAUTHENTICATED',
      '401 UNAUTHENTICATED',
      '429 RATE_LIMITED',
    ]);
  });
});
