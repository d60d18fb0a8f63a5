import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateCafeOffer, cafeEarn, openCafe } from '../support/cafe';
import { startHub, type TestHub } from '../support/hub';

/**
 * The earn stays cheap (issue 17, points 8 and 9): statements the points subgraph sends PostgreSQL for one
 * earn with every rule in play (a 3-line basket at a store, a running campaign, an activated offer, a stamp
 * card), counted at the query runner (BEGIN and COMMIT included), and a member's standing read from a
 * bounded number of rows whatever their history. Its own database (a coalition-wide rule must not leak).
 */
let hub: TestHub;
let counting = false;
let statements: string[] = [];
/** What the partners subgraph sent meanwhile: the earn's question about the calling partner, if any. */
let partnersStatements: string[] = [];

beforeAll(async () => {
  // Background loops (webhook delivery, pledge relay) share the pool: off, so only the earn is counted.
  hub = await startHub({ isolatedDatabase: true, env: { WEBHOOK_DELIVERY_INTERVAL_MS: '0', PLEDGE_RELAY_INTERVAL_MS: '0' } });
  // The points subgraph's pool: every statement it sends goes through one of its clients.
  const pool = (hub.subgraphs.points!.dataSource.driver as unknown as { master: { _clients: unknown[] } }).master;
  const partnersPool = (hub.subgraphs.partners!.dataSource.driver as unknown as { master: { _clients: unknown[] } }).master;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, query: unknown, ...rest: unknown[]) {
    if (counting && pool._clients.includes(this)) {
      const text = typeof query === 'string' ? query : (query as { text: string }).text;
      statements.push(text.replace(/\s+/g, ' ').slice(0, 90));
    }
    if (counting && partnersPool._clients.includes(this)) {
      const text = typeof query === 'string' ? query : (query as { text: string }).text;
      partnersStatements.push(text.replace(/\s+/g, ' ').slice(0, 90));
    }
    return (original as (...a: unknown[]) => unknown).call(this, query, ...rest);
  } as typeof original;
});
afterAll(async () => hub?.stop());

/**
 * The most statements one earn with every rule may send (README "An earn that stays fast"): measured 5
 * (BEGIN, the key's claim with the member's lock, the rules' one read with the funding locks, the one
 * write with the audit row, COMMIT); 10 before (an idempotency read, the claim, the member lock, the
 * funding lock, the audit row and the key's result each on their own), 16 when each rule wrote its own
 * rows. And none by the partners subgraph: the calling partner's facts are kept per process.
 */
const EARN_STATEMENT_BUDGET = 5;

describe('statements per earn', () => {
  it('an earn with a basket, a store, a campaign, an offer and a stamp card costs at most the budget', async () => {
    const cafe = await openCafe(hub, { offerUsesPerMember: 100, stampsRequired: 10 });
    const member = await hub.seed.member(cafe.token);
    await activateCafeOffer(hub, cafe, member.token);
    const earn = async () => {
      const r = await cafeEarn<{ earnPoints: { awards: { kind: string }[] } }>(hub, cafe, member.id, 'awards { kind }');
      expect(r.errors).toBeUndefined();
      return r.data!;
    };
    await earn(); // the first earn creates the member's account and warms the caches
    statements = [];
    partnersStatements = [];
    counting = true;
    const r = await earn();
    counting = false;
    expect(r.earnPoints.awards.map((a) => a.kind)).toEqual(['BASE', 'CAMPAIGN', 'OFFER']);
    console.log(`statements per earn: ${statements.length}\n  ${statements.join('\n  ')}`);
    expect(statements.length).toBeLessThanOrEqual(EARN_STATEMENT_BUDGET);
    expect(partnersStatements).toEqual([]);
  });
});

describe('qualifying points, a running figure', () => {
  it('counts the current month and the 11 before it, from at most 12 rows, and a refund takes its earn out', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(partner.token);
    const tier = async () =>
      (await hub.must<{ me: { points: { tier: { name: string; qualifyingPoints: string } } } }>('{ me { points { tier { name qualifyingPoints } } } }', {}, member.token)).me.points.tier;
    const earned = await hub.seed.earn(partner.token, member.id, '5000.00', 'NOK');
    expect(await tier()).toEqual({ name: 'Silver', qualifyingPoints: '5000' });
    // Earlier months as the running figure keeps them: 11 months ago counts, 12 months ago no longer does.
    await hub.db.query(
      `INSERT INTO points.qualifying_points (member_id, month, points) VALUES
         ($1, (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '11 months')::date, 300),
         ($1, (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date, 90000)`,
      [member.id],
    );
    expect(await tier()).toEqual({ name: 'Silver', qualifyingPoints: '5300' });
    const reversed = await hub.query(
      'mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { id } } }',
      { input: { transactionId: earned.id, idempotencyKey: randomUUID() } },
      partner.token,
    );
    expect(reversed.errors).toBeUndefined();
    expect(await tier()).toEqual({ name: 'Bronze', qualifyingPoints: '300' });
  });
});
