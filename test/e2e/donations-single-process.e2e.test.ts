import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessCallCount } from '../../lib/src';
import { count, startHub, type TestHub } from '../support/hub';
import { ledgerClient } from '../support/ledger';

// The single-process hub (`npm start`): donations call the ledger, and the ledger's relay calls
// donations, in-process, still with the service credential verified by the callee.
let hub: TestHub;
beforeAll(async () => {
  // Its own database: the relay delivers every undelivered earn in its schema, and other test files' hubs
  // (some without a donations subgraph) write earns in the shared one.
  hub = await startHub({ inProcessCalls: true, isolatedDatabase: true, env: { PLEDGE_RELAY_INTERVAL_MS: '100' } });
});
afterAll(async () => hub?.stop());

describe('giving in the single-process hub', () => {
  it('donates and accrues pledges through in-process service calls', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    const charity = await hub.seed.charity();
    await hub.must('mutation($i: SetPledgeInput!) { setPledge(input: $i) { pledge { id } } }', { i: { percent: '2' } }, partner.token);
    await hub.must('mutation($i: ChooseCauseInput!) { chooseCause(input: $i) { cause { id } } }', { i: { charityId: charity.id } }, member.token);
    await hub.seed.earn(partner.token, member.id, '200.00', 'NOK');
    const before = inProcessCallCount();
    const donated = await hub.must<{ donatePoints: { donation: { status: string; points: number } } }>(
      'mutation($i: DonatePointsInput!) { donatePoints(input: $i) { donation { status points } } }',
      { i: { charityId: charity.id, points: 150, idempotencyKey: randomUUID() } },
      member.token,
    );
    expect(donated.donatePoints.donation).toEqual({ status: 'CONFIRMED', points: 150 });
    // The gateway's call to donations, and donations' call to points.
    expect(inProcessCallCount() - before).toBeGreaterThanOrEqual(2);
    expect((await ledgerClient(hub).points(member.token)).balance).toBe(50);
    const deadline = Date.now() + 10_000;
    while ((await count(hub.db, 'donations.pledge_accruals', "member_id = $1 AND kind = 'ACCRUAL'", [member.id])) === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const accrual = await hub.db.query<{ amount_minor: string; charity_id: string }>('SELECT amount_minor::text, charity_id FROM donations.pledge_accruals WHERE member_id = $1', [member.id]);
    expect(accrual.rows).toEqual([{ amount_minor: '400', charity_id: charity.id }]);
  });
});
