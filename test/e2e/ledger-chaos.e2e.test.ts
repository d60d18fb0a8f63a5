import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceService } from '../../subgraphs/points/src/services/maintenance.service';
import { createLogger } from '../../subgraphs/shared/src';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;
// A database of its own: the second test kills this hub's connections, and must touch no other file's.
beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true });
  ledger = ledgerClient(hub);
});
afterAll(async () => hub?.stop());

const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points } } }';
const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)];

describe('the ledger under concurrent, random traffic (a bank-style test)', () => {
  it('keeps every invariant, and every acknowledged operation exactly once', async () => {
    const partners = await Promise.all([0, 1, 2].map(() => hub.seed.partner({ currency: 'NOK' })));
    const members = await Promise.all(Array.from({ length: 8 }, () => hub.seed.member(partners[0].token)));
    for (const m of members) await hub.seed.earn(partners[0].token, m.id, '500.00', 'NOK');

    const acknowledged: { key: string; id: string }[] = [];
    const refusedKeys: string[] = [];
    const earns: { id: string; partner: (typeof partners)[number] }[] = [];
    const spends: { id: string; partner: (typeof partners)[number] }[] = [];
    const unexpected: string[] = [];
    const sweeper = new MaintenanceService(hub.subgraphs.points!.dataSource, createLogger('test', 'silent'));
    const expected = new Set(['INSUFFICIENT_POINTS', 'ALREADY_FINALIZED', 'HOLD_EXPIRED', 'REDEMPTION_CODE_INVALID']);
    const outcome = (key: string, code: string | undefined, id: string | undefined) => {
      if (!code && id) acknowledged.push({ key, id });
      else if (code && expected.has(code)) refusedKeys.push(key);
      else unexpected.push(`${code}`);
    };

    // At least 6 s of mixed traffic and more than 100 acknowledged operations: a busy 2-core box takes
    // longer to get there (the limit is for a stuck hub, not a slow machine).
    const deadline = Date.now() + 6_000;
    const giveUp = Date.now() + 45_000;
    const enough = () => Date.now() >= deadline && acknowledged.length > 100;
    let snapshots = 0;
    const worker = async () => {
      while (!enough() && Date.now() < giveUp) {
        const member = pick(members);
        const partner = pick(partners);
        const key = randomUUID();
        const roll = randomInt(100);
        if (roll < 30) {
          const r = await hub.query<{ earnPoints: { transaction: { id: string } } }>(
            EARN,
            { input: { memberId: member.id, purchase: { amount: `${randomInt(1, 200)}.00`, currency: 'NOK' }, reference: key, idempotencyKey: key } },
            partner.token,
          );
          outcome(key, r.errors?.[0]?.extensions?.code, r.data?.earnPoints.transaction.id);
          if (r.data) earns.push({ id: r.data.earnPoints.transaction.id, partner });
        } else if (roll < 55) {
          const r = await ledger.redeem(partner.token, member.id, randomInt(1, 150), await ledger.code(member.token), key);
          outcome(key, r.errors?.[0]?.extensions?.code, r.data?.redeemPoints.transaction.id);
          if (r.data) spends.push({ id: r.data.redeemPoints.transaction.id, partner });
        } else if (roll < 75) {
          const auth = await ledger.authorize(partner.token, member.id, randomInt(1, 150), await ledger.code(member.token), key);
          outcome(key, auth.errors?.[0]?.extensions?.code, auth.data?.authorizeRedemption.hold.id);
          if (!auth.data) continue;
          const holdId = auth.data.authorizeRedemption.hold.id;
          const second = randomUUID();
          if (randomInt(2)) {
            const c = await ledger.capture(partner.token, holdId, randomInt(2) ? undefined : 1, second);
            outcome(second, c.errors?.[0]?.extensions?.code, c.data?.captureRedemption.transaction.id);
            if (c.data) spends.push({ id: c.data.captureRedemption.transaction.id, partner });
          } else {
            const v = await ledger.void(partner.token, holdId, second);
            outcome(second, v.errors?.[0]?.extensions?.code, v.data?.voidRedemption.hold.id);
          }
        } else if (roll < 88) {
          const pool = randomInt(2) ? (earns.length ? earns : spends) : spends.length ? spends : earns;
          if (pool.length === 0) continue;
          const target = pick(pool);
          const r = await ledger.reverse(target.partner.token, target.id, key);
          outcome(key, r.errors?.[0]?.extensions?.code, r.data?.reverseTransaction.transaction.id);
        } else if (roll < 94) {
          await hub.db.query(
            `UPDATE points.lots SET expires_at = now() - interval '1 second'
              WHERE id = (SELECT id FROM points.lots WHERE remaining > 0 ORDER BY random() LIMIT 1)`,
          );
          await sweeper.sweep();
        } else {
          const { rows } = await hub.db.query<{ total: string; negative: string }>(
            `SELECT (SELECT coalesce(sum(amount), 0) FROM points.postings)::text AS total,
                    (SELECT count(*) FROM points.accounts WHERE kind = 'MEMBER' AND balance < pending)::text AS negative`,
          );
          expect(rows[0]).toEqual({ total: '0', negative: '0' });
          snapshots++;
        }
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    await sweeper.sweep();

    expect(unexpected).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(100);
    const check = await hub.must<{ ledgerCheck: Record<string, unknown> }>(
      '{ ledgerCheck { ok unbalancedTransactions balanceDrift lotDrift pendingDrift pointsMismatch } }',
      {},
      await hub.admin(),
    );
    expect(check.ledgerCheck).toEqual({ ok: true, unbalancedTransactions: '0', balanceDrift: '0', lotDrift: '0', pendingDrift: '0', pointsMismatch: '0' });
    expect((await hub.query('{ ledgerCheck { ok } }', {}, partners[0].token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(snapshots).toBeGreaterThan(0);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
    const ids = acknowledged.map((a) => a.id);
    const found = await hub.db.query<{ n: string }>(
      `SELECT ((SELECT count(*) FROM points.transactions WHERE id = ANY($1::uuid[])) + (SELECT count(*) FROM points.holds WHERE id = ANY($1::uuid[])))::text AS n`,
      [ids],
    );
    expect(Number(found.rows[0].n)).toBe(new Set(ids).size);
    const keys = await hub.db.query<{ acked: string; refused: string }>(
      `SELECT (SELECT count(*) FROM points.idempotency_keys WHERE key = ANY($1))::text AS acked,
              (SELECT count(*) FROM points.idempotency_keys WHERE key = ANY($2))::text AS refused`,
      [acknowledged.map((a) => a.key), refusedKeys],
    );
    expect(keys.rows[0]).toEqual({ acked: String(acknowledged.length), refused: '0' });
  }, 90_000);

  it('loses nothing when database connections are killed mid-transaction, and stays up', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const members = await Promise.all(Array.from({ length: 4 }, () => hub.seed.member(partner.token)));
    const attempts: { key: string; memberId: string; ok: boolean }[] = [];
    let killed = 0;
    const deadline = Date.now() + 3_000;
    const killer = (async () => {
      while (Date.now() < deadline) {
        const r = await hub.db.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'hub-points' AND pid <> pg_backend_pid()`,
        );
        killed += r.rowCount ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const worker = async () => {
      while (Date.now() < deadline) {
        const key = randomUUID();
        const member = pick(members);
        const r = await hub.query(EARN, { input: { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: key, idempotencyKey: key } }, partner.token);
        attempts.push({ key, memberId: member.id, ok: !r.errors });
      }
    };
    await Promise.all([killer, ...Array.from({ length: 8 }, worker)]);
    expect(killed).toBeGreaterThan(0);

    // The service is still up, and a client retrying its failed requests with the same keys gets each
    // earn exactly once: an interrupted request either committed (the retry replays it) or left nothing.
    const failed = attempts.filter((a) => !a.ok);
    for (const a of failed) {
      const retry = await hub.query(EARN, { input: { memberId: a.memberId, purchase: { amount: '10.00', currency: 'NOK' }, reference: a.key, idempotencyKey: a.key } }, partner.token);
      expect(retry.errors).toBeUndefined();
    }
    const perKey = await hub.db.query<{ reference: string; n: string }>(
      'SELECT reference, count(*)::text AS n FROM points.transactions WHERE reference = ANY($1) GROUP BY reference',
      [attempts.map((a) => a.key)],
    );
    expect(perKey.rows).toHaveLength(attempts.length);
    expect(perKey.rows.every((r) => r.n === '1')).toBe(true);
    for (const m of members) {
      const mine = attempts.filter((a) => a.memberId === m.id).length;
      expect((await ledger.points(m.token)).balance).toBe(mine * 10);
    }
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});
