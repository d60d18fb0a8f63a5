import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BonusService } from '../../subgraphs/points/src/services/bonus.service';
import { type LedgerConfig } from '../../subgraphs/points/src/services/ledger.config';
import { startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
let partner: { id: string; token: string };

beforeAll(async () => {
  // A database of its own: the sweeper pays every new account in it, and counts are exactly this file's.
  hub = await startHub({ isolatedDatabase: true, env: { MARKETING_POINT_PRICE: '0.004' } });
  partner = await hub.seed.partner({ currency: 'EUR', earnRate: '10' });
});
afterAll(async () => hub?.stop());

const config = (welcomePoints: number): LedgerConfig =>
  ({
    expiryMonths: 24,
    coalition: { currency: 'EUR', marketingPointPrice: '0.004', cashoutPointValue: '0.005', cashoutMinimumPoints: 1000, debtor: { name: 'x', iban: 'x', bic: null } },
    bonuses: { welcomePoints, welcomeWindowDays: 30 },
  }) as LedgerConfig;
const sweeper = (welcomePoints = 75) => new BonusService(hub.subgraphs.points!.dataSource, config(welcomePoints));
const bonuses = async (memberId: string) =>
  (
    await hub.db.query(
      `SELECT t.points, t.partner_id, t.unit_price, w.kind AS award, w.funded_by FROM points.transactions t JOIN points.transaction_awards w ON w.transaction_id = t.id
        WHERE t.member_id = $1 AND t.kind = 'BONUS'`,
      [memberId],
    )
  ).rows;
/** Every sweeper round until nothing is left, two sweepers at once, small batches so that they overlap. */
async function sweepWithTwo(): Promise<number> {
  const [a, b] = [sweeper(), sweeper()];
  let total = 0;
  for (;;) {
    const [x, y] = await Promise.all([a.sweepWelcome(5), b.sweepWelcome(5)]);
    total += x + y;
    if (x + y === 0) return total;
  }
}

describe('welcome bonus', () => {
  it('pays each member whose points account opens one welcome bonus from the marketing budget, once, even with two sweepers at once', async () => {
    const members = await Promise.all(Array.from({ length: 24 }, () => hub.seed.member(partner.token)));
    for (const m of members) await hub.seed.earn(partner.token, m.id, '1.00', 'EUR');
    expect(await sweepWithTwo()).toBe(24);
    for (const m of members) {
      expect(await bonuses(m.id)).toEqual([{ points: '75', partner_id: null, unit_price: '0.004000', award: 'WELCOME', funded_by: null }]);
    }
    const balance = (await hub.db.query(`SELECT balance FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [members[0].id])).rows[0].balance;
    expect(balance).toBe('85');
    expect(await sweepWithTwo()).toBe(0);
    const marketing = (await hub.db.query(`SELECT -sum(p.amount)::int AS n FROM points.postings p JOIN points.accounts a ON a.id = p.account_id WHERE a.kind = 'COALITION_MARKETING'`)).rows[0].n;
    expect(marketing).toBe(24 * 75);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('pays nothing when turned off, nor for accounts opened before the window', async () => {
    const [fresh, old] = await Promise.all([hub.seed.member(partner.token), hub.seed.member(partner.token)]);
    await hub.seed.earn(partner.token, fresh.id, '1.00', 'EUR');
    await hub.seed.earn(partner.token, old.id, '1.00', 'EUR');
    expect(await sweeper(0).sweepWelcome()).toBe(0);
    expect(await bonuses(fresh.id)).toEqual([]);
    await hub.db.query(`UPDATE points.accounts SET created_at = now() - interval '31 days' WHERE kind = 'MEMBER' AND owner_id = $1`, [old.id]);
    expect(await sweepWithTwo()).toBe(1);
    expect(await bonuses(fresh.id)).toHaveLength(1);
    expect(await bonuses(old.id)).toEqual([]);
  });
});
