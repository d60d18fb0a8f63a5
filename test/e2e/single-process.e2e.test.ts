import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessCallCount } from '../../lib/src';
import { count, startHub, type TestHub } from '../support/hub';
import { ledgerClient } from '../support/ledger';

// The single-process hub (HUB_MODE=single, the `npm start` default): the same answers and the same
// refusals as over HTTP, with the gateway's and points' calls to the subgraphs made in-process.
let hub: TestHub;
beforeAll(async () => {
  hub = await startHub({ inProcessCalls: true });
});
afterAll(async () => hub?.stop());

describe('the single-process hub', () => {
  it('joins, earns and spends through in-process calls, each subgraph still checking the token', async () => {
    const before = inProcessCallCount();
    const partner = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(partner.token, { displayName: 'Ola Nordmann' });
    await hub.seed.earn(partner.token, member.id, '120.00', 'NOK');
    const ledger = ledgerClient(hub);
    expect((await ledger.redeem(partner.token, member.id, 20, await ledger.code(member.token))).errors).toBeUndefined();
    const me = await hub.must<{ me: { displayName: string; points: { balance: number }; donations: unknown[] } }>(
      '{ me { displayName points { balance } donations { id } } }',
      {},
      member.token,
    );
    expect(me.me).toEqual({ displayName: 'Ola Nordmann', points: { balance: 100 }, donations: [] });
    // Gateway to subgraphs, and points to partners and members: none of it over the network.
    expect(inProcessCallCount() - before).toBeGreaterThanOrEqual(8);

    // Zero trust holds in-process: another member's token reads only itself; a partner without the
    // scope is refused; no token is refused before any subgraph runs.
    const other = await hub.seed.member(partner.token);
    const otherView = await hub.must<{ me: { points: { balance: number } } }>('{ me { points { balance } } }', {}, other.token);
    expect(otherView.me.points.balance).toBe(0);
    const lookupOnly = await hub.partnerToken(partner.id, 'members:lookup');
    const refused = await hub.query(
      'mutation($i: EarnPointsInput!) { earnPoints(input: $i) { transaction { id } } }',
      { i: { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'x', idempotencyKey: 'single-refused' } },
      lookupOnly,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await hub.query('{ me { id } }', {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await count(hub.db, 'points.idempotency_keys', 'key = $1', ['single-refused'])).toBe(0);
  });
});
