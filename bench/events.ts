import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { type Pool } from 'pg';
import { mustQuery } from '../scripts/lib/graphql-client';

/**
 * The event pipeline under a sustained rate: earns are written into the ledger at `rate` per second (straight
 * into its tables, through the same triggers an API earn goes through, so each leaves its `points.earned` event
 * in the outbox in the same transaction), while the hub's pledge relay hands each event to the donations
 * subgraph and its webhook delivery sends each to the earning partner's endpoint, a receiver in this process.
 * The producer bypasses the GraphQL earn on purpose: the earn path has its own scenarios, and this one must
 * hold the outbox's rate fixed whatever the box can earn. Lag is measured from the event's commit
 * (`occurred_at`, the earn's transaction time) to the donations subgraph recording it (`pledge_accruals.created_at`)
 * and to the receiver answering (`webhook_deliveries.delivered_at`, and the receiver's own clock).
 */

export interface LagFigures {
  events: number;
  /** Events handled per second over the production window plus the drain. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 per 10-second slice of production, in order: a lag that grows is a pipeline falling behind. */
  p99BySliceMs: number[];
}

export interface EventFigures {
  rate: number;
  seconds: number;
  /** Seconds at the same rate before the measured window (a hub just started: JIT, pools, plans). */
  warmupSeconds: number;
  produced: number;
  /** What the producer achieved (events committed per second over the window). */
  producedPerSecond: number;
  relay: LagFigures;
  webhooks: LagFigures & { requests: number; distinctWebhookIds: number; failedAttempts: number; receiverP99Ms: number };
  /** Seconds from the producer's last write until both had handled everything. */
  drainSeconds: number;
  loadAverage: { start: number[]; end: number[] };
}

interface Producer {
  memberId: string;
  accountId: string;
  partnerId: string;
  issuedId: string;
}

const round = (n: number) => Math.round(n);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Earns for `rows`, one transaction: transactions, lots and postings, as the bench's bulk seed writes them. */
async function writeEarns(db: Pool, rows: Producer[], seq: number): Promise<void> {
  await db.query(
    `WITH src AS MATERIALIZED (
       SELECT gen_random_uuid() AS tx_id, m.account_id, m.member_id, m.partner_id, m.issued_id, (1 + floor(random() * 200))::bigint AS points, g
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[]) WITH ORDINALITY AS m(member_id, account_id, partner_id, issued_id, g)
     ), tx AS (
       INSERT INTO points.transactions (id, kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency,
                                        earn_rate, base_points, tier_multiplier_milli, campaign_bonus, unit_price, price_currency)
       SELECT tx_id, 'EARN', partner_id, member_id, 'events-' || $5::int || '-' || g, points, points * 100, 'NOK', 1, points, 1000, 0, 0.01, 'NOK' FROM src
     ), lots AS (
       INSERT INTO points.lots (account_id, transaction_id, partner_id, points, remaining, expires_at)
       SELECT account_id, tx_id, partner_id, points, points, now() + interval '24 months' FROM src
     )
     INSERT INTO points.postings (transaction_id, account_id, amount)
     SELECT tx_id, account_id, points FROM src UNION ALL SELECT tx_id, issued_id, -points FROM src`,
    [rows.map((r) => r.memberId), rows.map((r) => r.accountId), rows.map((r) => r.partnerId), rows.map((r) => r.issuedId), seq],
  );
}

/** p50/p99/max (ms) and the per-slice p99 of `lags` (ms, with the event's offset into production in s). */
function lagFigures(lags: { at: number; ms: number }[], windowSeconds: number, spanSeconds: number): LagFigures {
  const sorted = lags.map((l) => l.ms).sort((a, b) => a - b);
  const slices: number[] = [];
  for (let from = 0; from < windowSeconds; from += 10) {
    const slice = lags.filter((l) => l.at >= from && l.at < from + 10).map((l) => l.ms).sort((a, b) => a - b);
    if (slice.length) slices.push(round(percentile(slice, 0.99)));
  }
  return {
    events: lags.length,
    throughput: round(lags.length / Math.max(spanSeconds, 0.001)),
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted.at(-1) ?? 0),
    p99BySliceMs: slices,
  };
}

export async function measureEventPipeline(options: {
  db: Pool;
  gatewayUrl: string;
  partners: { id: string; token: string }[];
  memberIds: string[];
  rate: number;
  seconds: number;
  warmupSeconds: number;
  log(line: string): void;
}): Promise<EventFigures> {
  const { db, rate, seconds, warmupSeconds, log } = options;
  // The receiver: answers 204 at once and notes each request's webhook-id, its event's time and its arrival.
  const arrivals: { id: string; lagMs: number }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrived = Date.now();
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { timestamp: string };
        arrivals.push({ id: String(req.headers['webhook-id']), lagMs: arrived - Date.parse(event.timestamp) });
      } catch {
        // counted as a request with no lag
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    for (const p of options.partners) {
      await mustQuery(
        options.gatewayUrl,
        'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }',
        { input: { url: receiverUrl, events: ['points.earned'] } },
        p.token,
      );
    }
    // Producers: members spread over the membership, each earning at one partner.
    const picked = options.memberIds.filter((_, i) => i % Math.max(1, Math.floor(options.memberIds.length / 2_000)) === 0).slice(0, 2_000);
    const { rows: accounts } = await db.query<{ id: string; owner_id: string }>(`SELECT id, owner_id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = ANY($1::uuid[])`, [picked]);
    const { rows: issued } = await db.query<{ id: string; owner_id: string }>(`SELECT id, owner_id FROM points.accounts WHERE kind = 'PARTNER_ISSUED' AND owner_id = ANY($1::uuid[])`, [
      options.partners.map((p) => p.id),
    ]);
    const issuedOf = new Map(issued.map((r) => [r.owner_id, r.id]));
    const producers: Producer[] = accounts.map((a, i) => {
      const partner = options.partners[i % options.partners.length];
      return { memberId: a.owner_id, accountId: a.id, partnerId: partner.id, issuedId: issuedOf.get(partner.id)! };
    });
    if (producers.length === 0 || producers.some((p) => !p.issuedId)) throw new Error('events: no members or partner accounts to earn with');

    let seq = 0;
    let next = 0;
    // Paced in 50 ms ticks; a tick that falls behind writes what the schedule owes, so the rate holds on average.
    const produce = async (forSeconds: number): Promise<number> => {
      const began = performance.now();
      let written = 0;
      while (performance.now() - began < forSeconds * 1000) {
        const owed = Math.floor(((performance.now() - began) / 1000) * rate) - written;
        if (owed > 0) {
          const batch = Array.from({ length: owed }, (_, i) => producers[(next + i) % producers.length]);
          next += owed;
          await writeEarns(db, batch, ++seq);
          written += owed;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return written;
    };
    if (warmupSeconds > 0) {
      log(`events: warming up at ${rate}/s for ${warmupSeconds} s (not measured)`);
      await produce(warmupSeconds);
    }
    const start = (await db.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t;
    const loadStart = loadavg().map((n) => Number(n.toFixed(2)));
    log(`events: ${rate}/s for ${seconds} s (load average ${loadStart.join(', ')})`);
    const began = performance.now();
    const written = await produce(seconds);
    const producedFor = (performance.now() - began) / 1000;
    const stopped = performance.now();
    log(`events: ${written} written in ${producedFor.toFixed(1)} s; waiting for the relay and the webhooks`);

    // Drained: every event of the window relayed (an accrual recorded) and delivered.
    const pending = async () => {
      const { rows } = await db.query<{ relay: string; hooks: string }>(
        `SELECT (SELECT count(*) FROM points.event_outbox WHERE occurred_at >= $1 AND type = 'points.earned' AND delivered_at IS NULL)::text AS relay,
                (SELECT count(*) FROM points.event_outbox o WHERE o.occurred_at >= $1 AND o.type = 'points.earned'
                    AND (o.fanned_out_at IS NULL OR EXISTS (SELECT 1 FROM points.webhook_deliveries d WHERE d.outbox_id = o.id AND d.status = 'PENDING')))::text AS hooks`,
        [start],
      );
      return Number(rows[0].relay) + Number(rows[0].hooks);
    };
    for (const deadline = Date.now() + 180_000; (await pending()) > 0; await new Promise((resolve) => setTimeout(resolve, 250))) {
      if (Date.now() > deadline) throw new Error(`events: not drained 180 s after production stopped (${await pending()} left)`);
    }
    const drainSeconds = (performance.now() - stopped) / 1000;
    const loadEnd = loadavg().map((n) => Number(n.toFixed(2)));

    const relayRows = await db.query<{ at: number; ms: number; done: number }>(
      `SELECT extract(epoch FROM o.occurred_at - $1::timestamptz)::float8 AS at, extract(epoch FROM a.created_at - o.occurred_at)::float8 * 1000 AS ms,
              extract(epoch FROM a.created_at - $1::timestamptz)::float8 AS done
         FROM points.event_outbox o JOIN donations.pledge_accruals a ON a.event_id = o.transaction_id
        WHERE o.occurred_at >= $1 AND o.type = 'points.earned'`,
      [start],
    );
    const hookRows = await db.query<{ at: number; ms: number; done: number; attempts: number }>(
      `SELECT extract(epoch FROM o.occurred_at - $1::timestamptz)::float8 AS at, extract(epoch FROM d.delivered_at - o.occurred_at)::float8 * 1000 AS ms,
              extract(epoch FROM d.delivered_at - $1::timestamptz)::float8 AS done, d.attempts
         FROM points.event_outbox o JOIN points.webhook_deliveries d ON d.outbox_id = o.id
        WHERE o.occurred_at >= $1 AND o.type = 'points.earned' AND d.status = 'DELIVERED'`,
      [start],
    );
    const span = (rows: { done: number }[]) => Math.max(0, ...rows.map((r) => r.done));
    const arrivalsSorted = arrivals.map((a) => a.lagMs).sort((a, b) => a - b);
    return {
      rate,
      seconds,
      warmupSeconds,
      produced: written,
      producedPerSecond: round(written / producedFor),
      relay: lagFigures(relayRows.rows, seconds, span(relayRows.rows)),
      webhooks: {
        ...lagFigures(hookRows.rows, seconds, span(hookRows.rows)),
        requests: arrivals.length,
        distinctWebhookIds: new Set(arrivals.map((a) => a.id)).size,
        failedAttempts: hookRows.rows.reduce((n, r) => n + (r.attempts - 1), 0),
        receiverP99Ms: round(percentile(arrivalsSorted, 0.99)),
      },
      drainSeconds: Number(drainSeconds.toFixed(1)),
      loadAverage: { start: loadStart, end: loadEnd },
    };
  } finally {
    await new Promise<void>((resolve) => {
      receiver.close(() => resolve());
      receiver.closeAllConnections();
    });
  }
}
