import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MaintenanceService } from '../../subgraphs/points/src/services/maintenance.service';
import { createLogger } from '../../lib/src';
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

// The hub runs in this process, so faking `Date` here skews the clock of the gateway and of every
// subgraph (tokens are minted and checked on the same skewed clock). PostgreSQL's clock is untouched:
// a hold's expiry must follow it, whatever the application believes the time is.
describe('the database clock decides hold expiry, not the application clock', () => {
  const TWO_HOURS = 2 * 3_600_000;
  let clockHub: TestHub;
  let clockLedger: ReturnType<typeof ledgerClient>;
  let sweeper: MaintenanceService;
  // Its own database and no background sweeper: a hold expired in the table stays OPEN until the test
  // sweeps, so the capture meets the expiry check itself.
  beforeAll(async () => {
    clockHub = await startHub({ isolatedDatabase: true, env: { HOLD_TTL_SECONDS: '600' } });
    clockLedger = ledgerClient(clockHub);
    sweeper = new MaintenanceService(clockHub.subgraphs.points!.dataSource, createLogger('test', 'silent'));
  });
  afterEach(() => vi.useRealTimers());
  afterAll(async () => clockHub?.stop());

  /** A member with 100 points and two open holds of 10 from one partner, placed on the real clock. */
  async function twoHolds() {
    const partner = await clockHub.seed.partner({ currency: 'NOK' });
    const member = await clockHub.seed.member(partner.token);
    await clockHub.seed.earn(partner.token, member.id, '100.00', 'NOK');
    const holds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const auth = await clockLedger.authorize(partner.token, member.id, 10, await clockLedger.code(member.token));
      expect(auth.errors).toBeUndefined();
      holds.push(auth.data!.authorizeRedemption.hold.id);
    }
    return { partner, member, holds };
  }
  const skew = (ms: number) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + ms);
  };
  const status = async (holdId: string) => (await clockHub.db.query<{ status: string }>('SELECT status FROM points.holds WHERE id = $1', [holdId])).rows[0].status;

  it('captures a hold still valid by database time although the application clock is two hours past its expiry', async () => {
    const { partner, member, holds } = await twoHolds();
    skew(TWO_HOURS);
    const token = await clockHub.partnerToken(partner.id);
    const captured = await clockLedger.capture(token, holds[0]);
    expect(captured.errors).toBeUndefined();
    expect(captured.data?.captureRedemption.hold).toMatchObject({ status: 'CAPTURED', capturedPoints: 10 });
    // The sweeper, on the same skewed clock, leaves the other hold open; it can still be voided.
    expect(await sweeper.expireHolds()).toBe(0);
    expect(await status(holds[1])).toBe('OPEN');
    expect((await clockLedger.void(token, holds[1])).data?.voidRedemption.hold.status).toBe('VOIDED');
    expect(await clockLedger.points(await clockHub.memberToken(member.id))).toEqual({ balance: 90, available: 90, pending: 0 });
  });

  it('refuses a hold expired by database time with HOLD_EXPIRED although the application clock is two hours before its expiry', async () => {
    const { partner, member, holds } = await twoHolds();
    // Expired a second ago by the database's clock (hold terms are immutable: the trigger is bypassed here).
    const client = await clockHub.db.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query("UPDATE points.holds SET expires_at = now() - interval '1 second' WHERE id = ANY($1::uuid[])", [holds]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    skew(-TWO_HOURS);
    const token = await clockHub.partnerToken(partner.id);
    expect((await clockLedger.capture(token, holds[0])).errors?.[0]?.extensions?.code).toBe('HOLD_EXPIRED');
    expect((await clockLedger.void(token, holds[0])).errors?.[0]?.extensions?.code).toBe('HOLD_EXPIRED');
    expect(await status(holds[0])).toBe('OPEN');
    // The sweeper, on the same skewed clock, expires both and gives the points back.
    expect(await sweeper.expireHolds()).toBe(2);
    expect([await status(holds[0]), await status(holds[1])]).toEqual(['EXPIRED', 'EXPIRED']);
    expect(await clockLedger.points(await clockHub.memberToken(member.id))).toEqual({ balance: 100, available: 100, pending: 0 });
  });
});
