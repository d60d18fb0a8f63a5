import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient } from '../support/ledger';

// The purge job runs only when asked here (PURGE_INTERVAL_MS=0), one row per batch, so every run goes
// through several batches; the relay is off, so undelivered events stay undelivered. A database of its own:
// the purge removes other files' old rows too.
let hub: TestHub;
beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { PURGE_INTERVAL_MS: '0', PURGE_BATCH_SIZE: '1', PLEDGE_RELAY_INTERVAL_MS: '0', WEBHOOK_DELIVERY_INTERVAL_MS: '0' } });
});
afterAll(async () => hub?.stop());

const ids = async (query: string, params: unknown[] = []) => (await hub.db.query(query, params)).rows.map((r: { id: string }) => String(r.id)).sort();

describe('purge', () => {
  it('removes delivered events, expired keys, spent codes and old failures, and keeps what is still needed', async () => {
    const ledger = ledgerClient(hub);
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    const keys = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const earns = [];
    for (const key of keys) earns.push(await hub.seed.earn(partner.token, member.id, '100.00', 'NOK', key));
    const outbox = async (earnId: string) => String((await hub.db.query(`SELECT id FROM points.event_outbox WHERE earn_id = $1 AND type = 'points.earned'`, [earnId])).rows[0].id);
    const [oldDone, recentlyDelivered, undelivered, notFannedOut] = [await outbox(earns[0].id), await outbox(earns[1].id), await outbox(earns[2].id), await outbox(earns[3].id)];
    const set = (id: string, delivered: string | null, fannedOut: string | null) =>
      hub.db.query(`UPDATE points.event_outbox SET occurred_at = now() - interval '30 days', delivered_at = now() - $2::interval, fanned_out_at = now() - $3::interval WHERE id = $1`, [id, delivered, fannedOut]);
    await set(oldDone, '8 days', '8 days'); // both consumers done a week ago: removed
    await set(recentlyDelivered, '1 hour', '8 days'); // the relay delivered it an hour ago: kept a week
    await set(undelivered, null, '30 days'); // the relay still needs it
    await set(notFannedOut, '30 days', null); // the webhook fan-out still needs it

    // Keys: past the 48 hours kept (two, so the one-row batches loop), and one still live at 47 hours.
    await hub.db.query(`UPDATE points.idempotency_keys SET created_at = now() - interval '49 hours' WHERE key = ANY($1)`, [[keys[0], keys[1]]]);
    await hub.db.query(`UPDATE points.idempotency_keys SET created_at = now() - interval '47 hours' WHERE key = ANY($1)`, [[keys[2], keys[3]]]);
    const liveKeys = await ids(`SELECT key AS id FROM points.idempotency_keys WHERE created_at > now() - interval '48 hours'`);
    expect(liveKeys).toContain(keys[2]);

    // Codes: used two days ago, expired two days ago, voided two days ago, used an hour ago, live.
    const codeIds: string[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(await ledger.code(member.token));
      codeIds.push(String((await hub.db.query('SELECT id FROM points.redemption_codes ORDER BY created_at DESC, id LIMIT 1')).rows[0].id));
    }
    const [usedLongAgo, expiredLongAgo, voidedLongAgo, usedRecently, live] = codeIds;
    await hub.db.query(`UPDATE points.redemption_codes SET used_at = now() - interval '2 days' WHERE id = $1`, [usedLongAgo]);
    await hub.db.query(`UPDATE points.redemption_codes SET created_at = now() - interval '3 days', expires_at = now() - interval '2 days' WHERE id = $1`, [expiredLongAgo]);
    await hub.db.query(`UPDATE points.redemption_codes SET voided_at = now() - interval '2 days' WHERE id = $1`, [voidedLongAgo]);
    await hub.db.query(`UPDATE points.redemption_codes SET used_at = now() - interval '1 hour' WHERE id = $1`, [usedRecently]);

    // Wrong-code failures: one past the counting window (600 s by default), one inside it.
    const failure = async (age: string) =>
      String((await hub.db.query(`INSERT INTO points.redemption_code_failures (member_id, partner_id, failed_at) VALUES ($1, $2, now() - $3::interval) RETURNING id`, [member.id, partner.id, age])).rows[0].id);
    const oldFailure = await failure('11 minutes');
    const recentFailure = await failure('9 minutes');

    // Two instances purging at once: each row is removed once, neither waits nor fails.
    const [a, b] = await Promise.all([hub.subgraphs.points!.purge(), hub.subgraphs.points!.purge()]);
    const removed = Object.fromEntries(Object.keys(a).map((k) => [k, a[k] + b[k]]));
    expect(removed).toEqual({ idempotency_keys: 2, webhook_deliveries: 0, event_outbox: 1, redemption_codes: 3, redemption_code_failures: 1 });

    const events = [oldDone, recentlyDelivered, undelivered, notFannedOut];
    expect(await ids('SELECT id FROM points.event_outbox WHERE id = ANY($1)', [events])).toEqual([recentlyDelivered, undelivered, notFannedOut].sort());
    expect(await ids('SELECT key AS id FROM points.idempotency_keys WHERE key = ANY($1)', [keys])).toEqual([keys[2], keys[3]].sort());
    expect(await ids('SELECT id FROM points.redemption_codes WHERE id = ANY($1)', [codeIds])).toEqual([usedRecently, live].sort());
    expect(await ids('SELECT id FROM points.redemption_code_failures WHERE id = ANY($1)', [[oldFailure, recentFailure]])).toEqual([recentFailure]);
    // The ledger is never purged.
    expect(Number((await hub.db.query('SELECT count(*) FROM points.transactions WHERE id = ANY($1)', [earns.map((e) => e.id)])).rows[0].count)).toBe(4);

    // Nothing more to remove; the live code still redeems, the live key still replays.
    expect(await hub.subgraphs.points!.purge()).toEqual({ idempotency_keys: 0, webhook_deliveries: 0, event_outbox: 0, redemption_codes: 0, redemption_code_failures: 0 });
    const replay = await hub.seed.earn(partner.token, member.id, '100.00', 'NOK', keys[2]);
    expect(replay.id).toBe(earns[2].id);
    expect((await ledger.redeem(partner.token, member.id, 10, codes[4])).errors).toBeUndefined();
  });

  it('purges every subgraph\'s expired idempotency keys', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    await hub.seed.member(partner.token);
    const aged = await hub.db.query(`UPDATE members.idempotency_keys SET created_at = now() - interval '49 hours' WHERE created_at > now() - interval '1 minute' RETURNING key`);
    expect(aged.rowCount).toBeGreaterThan(0);
    expect((await hub.subgraphs.members!.purge()).idempotency_keys).toBe(aged.rowCount);
    expect(Number((await hub.db.query(`SELECT count(*) FROM members.idempotency_keys WHERE created_at < now() - interval '48 hours'`)).rows[0].count)).toBe(0);
  });
});
