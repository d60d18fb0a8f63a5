import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse } from '../../scripts/lib/graphql-client';
import { MaintenanceService } from '../../subgraphs/points/src/services/maintenance.service';
import { createLogger } from '../../lib/src';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';
import { LedgerModel, type Outcome } from '../support/ledger-model';

// Random sequences of ledger operations through the gateway, each against a fresh member, compared with
// the plain-TypeScript model in test/support/ledger-model.ts: every answer (the exact refusal code
// included) and the account's balance and pending after each step; after each sequence the member's points
// as the API shows them, its lots, holds, clawbacks and transactions, and `ledgerCheck` over the database.
// Left out of the model: tiers and campaigns (earns stay under the first threshold, no campaign runs), hold
// expiry by time (hold-expiry.e2e) and prepaid funding.
// A failure prints its seed: replay it with TEST_SEED=<seed> (and TEST_SEED_PATH=<path> for the shrunk
// case); TEST_RUNS=<n> runs more sequences than the default 25.
// A database of its own: the expiry sweep here runs over every account, and `ledgerCheck` counts every row.

let hub: TestHub;
let ledger: ReturnType<typeof ledgerClient>;
let partners: { id: string; token: string }[];
let charityId: string;

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { DONATION_MIN_POINTS: '10' } });
  ledger = ledgerClient(hub);
  partners = [await hub.seed.partner({ currency: 'NOK', earnRate: '1' }), await hub.seed.partner({ currency: 'NOK', earnRate: '1' })];
  charityId = (await hub.seed.charity()).id;
});
afterAll(async () => hub?.stop());

const sweeper = () => new MaintenanceService(hub.subgraphs.points!.dataSource, createLogger('test', 'silent'));

type Command =
  | { op: 'earn'; partner: number; points: number }
  | { op: 'redeem'; partner: number; points: number }
  | { op: 'hold'; partner: number; points: number }
  | { op: 'capture'; hold: number; points: number | null; foreign: boolean }
  | { op: 'void'; hold: number; foreign: boolean }
  | { op: 'reverse'; tx: number; foreign: boolean }
  | { op: 'expire'; lot: number }
  | { op: 'donate'; points: number };

// Earns stay small enough that no member reaches the Silver tier (5,000 points in 12 months), whose
// multiplier the model leaves out. Spends may ask for more than there is, to be refused.
const partner = fc.constantFrom(0, 1);
const foreign = fc.constantFrom(false, false, false, true); // now and then the other partner asks
const spend = fc.integer({ min: 1, max: 150 });
const earn = fc.record({ op: fc.constant('earn' as const), partner, points: fc.integer({ min: 1, max: 300 }) });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: earn },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('redeem' as const), partner, points: spend }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('hold' as const), partner, points: spend }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('capture' as const), hold: fc.nat(20), points: fc.option(spend, { nil: null }), foreign }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('void' as const), hold: fc.nat(20), foreign }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('reverse' as const), tx: fc.nat(30), foreign }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('expire' as const), lot: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('donate' as const), points: fc.integer({ min: 10, max: 250 }) }) },
);
/** Up to 16 commands, starting with an earn (a sequence of refusals of an empty account teaches little). */
const sequence: fc.Arbitrary<Command[]> = fc.tuple(earn, fc.array(command, { maxLength: 15, size: 'max' })).map(([first, rest]) => [first, ...rest]);

const EARN = 'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points kind } } }';
const DONATE = 'mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { id points status } } }';
const CHECK = '{ ledgerCheck { ok transactions postings unbalancedTransactions balanceDrift lotDrift pendingDrift pointsMismatch } }';

type Check = { ok: boolean; transactions: string; postings: string; unbalancedTransactions: string; balanceDrift: string; lotDrift: string; pendingDrift: string; pointsMismatch: string };
const ledgerCheck = async () => (await hub.must<{ ledgerCheck: Check }>(CHECK, {}, await hub.admin())).ledgerCheck;

/** The answer's refusal (code and field), or 'ok', against the model's. */
function expectOutcome(where: string, predicted: Outcome<unknown>, response: GraphQLResponse<unknown>): void {
  const extensions = response.errors?.[0]?.extensions;
  const actual = response.errors ? { code: extensions?.code, field: extensions?.field, message: response.errors[0].message } : 'ok';
  const expected = predicted.ok ? 'ok' : { code: predicted.code, field: predicted.field, message: expect.any(String) };
  expect(actual, `${where}: outcome`).toEqual(expected);
}

/** Runs one sequence against a new member, checking each answer and balance, then the member's rows and the ledger. */
async function runSequence(commands: Command[]): Promise<void> {
  await sweeper().expireLots(); // lots another sequence left backdated are swept before counting
  const before = await ledgerCheck();
  const member = await hub.seed.member(partners[0].token);
  const model = new LedgerModel();
  const txIds: string[] = []; // the model's transaction number -> the hub's id, for those the API answers with
  const holdIds: string[] = [];

  for (const [step, c] of commands.entries()) {
    const where = `step ${step} ${JSON.stringify(c)}`;
    const s = model.state;
    switch (c.op) {
      case 'earn': {
        const predicted = model.earn(c.partner, c.points);
        const key = randomUUID();
        const input = { memberId: member.id, purchase: { amount: `${c.points}.00`, currency: 'NOK' }, reference: `R-${key}`, idempotencyKey: key };
        const res = await hub.query<{ earnPoints: { transaction: { id: string; points: number; kind: string } } }>(EARN, { input }, partners[c.partner].token);
        expectOutcome(where, predicted, res);
        if (predicted.ok) {
          expect(res.data!.earnPoints.transaction, where).toMatchObject({ points: c.points, kind: 'EARN' });
          txIds[predicted.value.tx] = res.data!.earnPoints.transaction.id;
        }
        break;
      }
      case 'redeem': {
        const predicted = model.redeem(c.partner, c.points);
        const res = await ledger.redeem(partners[c.partner].token, member.id, c.points, await ledger.code(member.token));
        expectOutcome(where, predicted, res);
        if (predicted.ok) {
          expect(res.data!.redeemPoints.transaction, where).toMatchObject({ points: -c.points, kind: 'REDEEM' });
          txIds[predicted.value.tx] = res.data!.redeemPoints.transaction.id;
        }
        break;
      }
      case 'hold': {
        const predicted = model.authorize(c.partner, c.points);
        const res = await ledger.authorize(partners[c.partner].token, member.id, c.points, await ledger.code(member.token));
        expectOutcome(where, predicted, res);
        if (predicted.ok) {
          expect(res.data!.authorizeRedemption.hold, where).toMatchObject({ points: c.points, status: 'OPEN', capturedPoints: null });
          holdIds[predicted.value.hold] = res.data!.authorizeRedemption.hold.id;
        }
        break;
      }
      case 'capture':
      case 'void': {
        if (s.holds.length === 0) break;
        const hold = c.hold % s.holds.length;
        const by = c.foreign ? 1 - s.holds[hold].partner : s.holds[hold].partner;
        if (c.op === 'void') {
          const predicted = model.void(by, hold);
          const res = await ledger.void(partners[by].token, holdIds[hold]);
          expectOutcome(where, predicted, res);
          if (predicted.ok) expect(res.data!.voidRedemption.hold, where).toMatchObject({ status: 'VOIDED', capturedPoints: null });
          break;
        }
        const predicted = model.capture(by, hold, c.points);
        const res = await ledger.capture(partners[by].token, holdIds[hold], c.points ?? undefined);
        expectOutcome(where, predicted, res);
        if (predicted.ok) {
          const captured = model.state.holds[hold].capturedPoints;
          expect(res.data!.captureRedemption, where).toMatchObject({ hold: { status: 'CAPTURED', capturedPoints: captured }, transaction: { points: -captured!, kind: 'REDEEM' } });
          txIds[predicted.value.tx] = res.data!.captureRedemption.transaction.id;
        }
        break;
      }
      case 'reverse': {
        // Earns and redemptions, and reversals (which cannot be reversed themselves).
        const candidates = s.txs.flatMap((t, i) => (t.kind === 'EARN' || t.kind === 'REDEEM' || t.kind === 'REVERSAL' ? [i] : []));
        if (candidates.length === 0) break;
        const target = candidates[c.tx % candidates.length];
        const owner = s.txs[target].partner!;
        const by = c.foreign ? 1 - owner : owner;
        const predicted = model.reverse(by, target);
        const res = await ledger.reverse(partners[by].token, txIds[target]);
        expectOutcome(where, predicted, res);
        if (predicted.ok) {
          expect(res.data!.reverseTransaction.transaction, where).toMatchObject({ kind: 'REVERSAL', points: model.state.txs[predicted.value.tx].points });
          txIds[predicted.value.tx] = res.data!.reverseTransaction.transaction.id;
        }
        break;
      }
      case 'expire': {
        // Backdates one lot (as the ledger tests do) and runs the sweeper over the whole database.
        const lot = s.lots.length > 0 ? c.lot % s.lots.length : null;
        if (lot !== null) await hub.db.query(`UPDATE points.lots SET expires_at = now() - interval '1 second' WHERE transaction_id = $1`, [txIds[s.lots[lot].earnTx]]);
        const predicted = model.expire(lot);
        expect(await sweeper().expireLots(), `${where}: points expired`).toBe(predicted);
        break;
      }
      case 'donate': {
        const predicted = model.donate(c.points);
        const res = await hub.query<{ donatePoints: { donation: { points: number; status: string } } }>(DONATE, { input: { charityId, points: c.points, idempotencyKey: randomUUID() } }, member.token);
        expectOutcome(where, predicted, res);
        if (predicted.ok) expect(res.data!.donatePoints.donation, where).toMatchObject({ points: c.points, status: 'CONFIRMED' });
        break;
      }
    }
    // Read from the row after each step (one round trip); the API's figures are compared at the end.
    const figures = await hub.db.query<{ balance: number; pending: number }>(`SELECT balance::int, pending::int FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [member.id]);
    expect(figures.rows[0] ?? { balance: 0, pending: 0 }, `${where}: balance and pending`).toEqual({ balance: model.state.balance, pending: model.state.pending });
  }
  expect(await ledger.points(member.token), 'points').toEqual({ balance: model.state.balance, available: model.available, pending: model.state.pending });

  // The member's rows, as the model has them.
  const s = model.state;
  const account = `(SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1)`;
  const byKey = <T extends { key: string }>(rows: T[]) => [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const lots = await hub.db.query<{ key: string; points: number; remaining: number; expired: boolean }>(
    `SELECT transaction_id::text AS key, points::int, remaining::int, expires_at <= now() AS expired FROM points.lots WHERE account_id = ${account}`,
    [member.id],
  );
  expect(byKey(lots.rows), 'lots').toEqual(byKey(s.lots.map((l) => ({ key: txIds[l.earnTx], points: l.points, remaining: l.remaining, expired: l.expired }))));
  const holds = await hub.db.query<{ key: string; points: number; status: string; captured: number | null }>(
    'SELECT id::text AS key, points::int, status, captured_points::int AS captured FROM points.holds WHERE member_id = $1',
    [member.id],
  );
  expect(byKey(holds.rows), 'holds').toEqual(byKey(s.holds.map((h, i) => ({ key: holdIds[i], points: h.points, status: h.status, captured: h.capturedPoints }))));
  const clawbacks = await hub.db.query<{ partner: string; points: number; outstanding: number }>(
    `SELECT partner_id::text AS partner, points::int, outstanding::int FROM points.clawbacks WHERE account_id = ${account} ORDER BY created_at, id`,
    [member.id],
  );
  expect(clawbacks.rows, 'clawbacks').toEqual(s.clawbacks.map((c) => ({ partner: partners[c.partner].id, points: c.points, outstanding: c.outstanding })));
  const transactions = await hub.db.query<{ line: string }>(
    `SELECT kind || ' ' || points || ' ' || coalesce(partner_id::text, '-') AS line FROM points.transactions WHERE member_id = $1`,
    [member.id],
  );
  const line = (kind: string, points: number, p: number | null) => `${kind} ${points} ${p === null ? '-' : partners[p].id}`;
  expect(transactions.rows.map((r) => r.line).sort(), 'transactions').toEqual(s.txs.map((t) => line(t.kind, t.points, t.partner)).sort());

  // The whole ledger: sound, and grown by exactly the model's transactions and postings.
  const { transactions: written, postings } = model.counts;
  expect(await ledgerCheck(), 'ledgerCheck').toEqual({
    ok: true,
    transactions: String(Number(before.transactions) + written),
    postings: String(Number(before.postings) + postings),
    unbalancedTransactions: '0',
    balanceDrift: '0',
    lotDrift: '0',
    pendingDrift: '0',
    pointsMismatch: '0',
  });
  expect(await ledgerViolations(hub.db), 'ledgerViolations').toEqual(NO_VIOLATIONS);
}

describe('the ledger against its model', () => {
  it('agrees on every answer, balance, lot, hold and ledgerCheck over random sequences of operations', async () => {
    const seed = process.env.TEST_SEED ? Number(process.env.TEST_SEED) : (Date.now() ^ (Math.random() * 0x100000000)) | 0;
    const path = process.env.TEST_SEED_PATH || undefined;
    try {
      await fc.assert(
        fc.asyncProperty(sequence, (commands) => runSequence(commands)),
        { seed, path, numRuns: path ? 1 : Number(process.env.TEST_RUNS ?? 25), endOnFailure: !!path },
      );
    } catch (error) {
      console.error(`ledger properties failed: replay with TEST_SEED=${seed} (fast-check's path for the shrunk case is in the message)`);
      throw error;
    }
  }, 600_000);
});
