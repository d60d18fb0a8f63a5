import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient } from '../support/ledger';

// Holds here expire after 1 second and the sweeper runs every 200 ms, as a production instance would;
// a database of its own keeps this sweeper away from other files' data.
let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;
beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { HOLD_TTL_SECONDS: '1', LEDGER_SWEEP_INTERVAL_MS: '200' } });
  ledger = ledgerClient(hub);
});
afterAll(async () => hub?.stop());

describe('hold expiry by database time', () => {
  it('refuses a capture after expiry with HOLD_EXPIRED, and the sweeper gives the points back', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '100.00', 'NOK');
    const auth = await ledger.authorize(partner.token, member.id, 60, await ledger.code(member.token));
    const holdId = auth.data!.authorizeRedemption.hold.id;
    expect((await ledger.points(member.token)).available).toBe(40);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await ledger.capture(partner.token, holdId)).errors?.[0]?.extensions?.code).toBe('HOLD_EXPIRED');
    expect((await ledger.void(partner.token, holdId)).errors?.[0]?.extensions?.code).toBe('HOLD_EXPIRED');
    const deadline = Date.now() + 5_000;
    while ((await ledger.points(member.token)).pending !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ledger.points(member.token)).toEqual({ balance: 100, available: 100, pending: 0 });
    const hold = await hub.must<{ redemptionHold: { status: string } }>(`{ redemptionHold(id: "${holdId}") { status } }`, {}, partner.token);
    expect(hold.redemptionHold.status).toBe('EXPIRED');
    const row = await hub.db.query('SELECT status FROM points.holds WHERE id = $1', [holdId]);
    expect(row.rows[0].status).toBe('EXPIRED');
  });
});
