import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../../../../test/support/hub';

// A database of its own: this test breaks the ledger on purpose.
let hub: TestHub;
beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true });
});
afterAll(async () => hub?.stop());

const CHECK = '{ ledgerCheck { ok transactions unbalancedTransactions balanceDrift lotDrift pendingDrift pointsMismatch } }';

describe('ledgerCheck', () => {
  it('proves a sound ledger and finds a tampered lot', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '40.00', 'NOK');
    await hub.seed.earn(partner.token, member.id, '2.00', 'NOK');
    const admin = await hub.admin();
    const sound = await hub.must<{ ledgerCheck: Record<string, unknown> }>(CHECK, {}, admin);
    expect(sound.ledgerCheck).toEqual({ ok: true, transactions: '2', unbalancedTransactions: '0', balanceDrift: '0', lotDrift: '0', pendingDrift: '0', pointsMismatch: '0' });

    await hub.db.query('UPDATE points.lots SET remaining = remaining - 1 WHERE points = 40');
    const broken = await hub.must<{ ledgerCheck: Record<string, unknown> }>(CHECK, {}, admin);
    expect(broken.ledgerCheck).toMatchObject({ ok: false, lotDrift: '1', balanceDrift: '0' });
  });
});
