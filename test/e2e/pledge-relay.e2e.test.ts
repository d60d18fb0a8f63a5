import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceSigner, DEFAULT_SERVICE_AUDIENCE, DEFAULT_SERVICE_ISSUER, loadServiceKeys } from '../../lib/src';
import { createDonationsClient, type EarnEvent } from '../../subgraphs/points/src/clients/donations.client';
import { PledgeRelayService } from '../../subgraphs/points/src/services/pledge-relay.service';
import { startHub, type TestHub } from '../support/hub';

/**
 * The pledge relay hands the donations subgraph a round of earn events in one call (one transaction of
 * the consumer), and falls back to one event at a time when the round is refused, so one event the
 * consumer cannot take yet never holds back the others. The hub's own relay is off: this test drives one.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { PLEDGE_RELAY_INTERVAL_MS: '0' } });
});
afterAll(async () => hub?.stop());

function relayWith(batchRefused: boolean) {
  const keys = loadServiceKeys({ SERVICE_ISSUER: DEFAULT_SERVICE_ISSUER, SERVICE_AUDIENCE: DEFAULT_SERVICE_AUDIENCE, SERVICE_SIGNING_KEY_FILE: hub.keys.serviceKeyFile });
  const donations = createDonationsClient(hub.urls.donations, createServiceSigner(keys!, 'points'));
  const calls = { batches: 0, single: 0 };
  const counted = Object.assign(Object.create(Object.getPrototypeOf(donations) as object) as typeof donations, donations, {
    async recordPledgeAccruals(events: readonly EarnEvent[], requestId: string) {
      calls.batches++;
      if (batchRefused) throw new Error('refused');
      return donations.recordPledgeAccruals(events, requestId);
    },
    async recordPledgeAccrual(event: EarnEvent, requestId: string) {
      calls.single++;
      return donations.recordPledgeAccrual(event, requestId);
    },
  });
  return { relay: new PledgeRelayService(hub.subgraphs.points!.dataSource, counted, createLogger('test', 'error')), calls };
}

const undelivered = async () => Number((await hub.db.query(`SELECT count(*) AS n FROM points.event_outbox WHERE kind IS NOT NULL AND delivered_at IS NULL`)).rows[0].n);
const accruals = async () => Number((await hub.db.query(`SELECT count(*) AS n FROM donations.pledge_accruals`)).rows[0].n);

describe('pledge relay', () => {
  it('delivers a round in one call; a refused round one event at a time; each event once', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    for (let i = 0; i < 5; i++) await hub.seed.earn(partner.token, member.id, '10.00', 'NOK');
    const waiting = await undelivered();
    expect(waiting).toBeGreaterThanOrEqual(5);

    const batch = relayWith(false);
    expect(await batch.relay.relay(3)).toBe(3);
    expect(batch.calls).toEqual({ batches: 1, single: 0 });
    expect(await undelivered()).toBe(waiting - 3);

    for (let i = 0; i < 2; i++) await hub.seed.earn(partner.token, member.id, '10.00', 'NOK');
    const fallback = relayWith(true);
    const rest = await undelivered();
    expect(await fallback.relay.relay(200)).toBe(rest);
    expect(fallback.calls).toEqual({ batches: 1, single: rest });
    expect(await undelivered()).toBe(0);
    expect(await accruals()).toBe(waiting + 2);
  });
});
