import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateCafeOffer, cafeEarn, openCafe as openCafeWith, type Cafe } from '../support/cafe';
import { writeEarns, type EarnWrite } from '../../subgraphs/points/src/persistence/earn-write.repository';
import { startHub, type TestHub } from '../support/hub';

/**
 * Group commit of earns (README "Earn speed"): earns of different members that arrive together are written
 * in one database transaction. A batch changes what an earn costs, never what it does: the same earns,
 * one at a time for some members and all at once for others, must answer and write the same, rule by
 * rule (basket, store, campaign, offer, stamp card and its reward, awards, qualifying points, audit row).
 * One batch slot, so that earns sent together queue behind the first and are written together.
 */
let hub: TestHub;

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { EARN_BATCH_SLOTS: '1', EARN_BATCH_MAX: '32' } });
});
afterAll(async () => hub?.stop());

const AWARDS = 'awards { kind points fundedBy { id } ruleId }';
type Award = { kind: string; points: number; fundedBy: { id: string } | null; ruleId: string | null };
type Earned = { transaction: { id: string; points: number }; awards: Award[] };

/** A one-use offer and a 2-stamp card: the first earn applies the offer, the second fills the card. */
const openCafe = () => openCafeWith(hub, { offerUsesPerMember: 1, stampsRequired: 2 });


function earn(cafe: Cafe, memberId: string, key: string = randomUUID()) {
  return cafeEarn<{ earnPoints: Earned }>(hub, cafe, memberId, `transaction { id points } ${AWARDS}`, key);
}

async function mustEarn(cafe: Cafe, memberId: string, key?: string): Promise<Earned> {
  const r = await earn(cafe, memberId, key);
  expect(r.errors).toBeUndefined();
  return r.data!.earnPoints;
}

/** What a member has after the earns: balance, stamp card, and the rows the earns wrote, without ids. */
async function written(memberId: string, token: string, cardId: string) {
  const { me } = await hub.must<{ me: { points: { balance: number; tier: { name: string } }; stampCards: { card: { id: string }; stamps: number; filled: number }[] } }>(
    '{ me { points { balance tier { name } } stampCards { card { id } stamps filled } } }',
    {},
    token,
  );
  const rows = async (text: string) => (await hub.db.query(text, [memberId])).rows;
  return {
    balance: me.points.balance,
    tier: me.points.tier.name,
    card: me.stampCards.find((c) => c.card.id === cardId),
    transactions: await rows(`SELECT kind, points::int, base_points::int, campaign_bonus::int, tier_multiplier_milli FROM points.transactions WHERE member_id = $1 ORDER BY points, kind`),
    lots: await rows(`SELECT l.points::int, l.remaining::int FROM points.lots l JOIN points.transactions t ON t.id = l.transaction_id WHERE t.member_id = $1 ORDER BY l.points`),
    baskets: await rows(`SELECT b.store_id IS NOT NULL AS store, b.lines FROM points.earn_baskets b JOIN points.transactions t ON t.id = b.transaction_id WHERE t.member_id = $1`),
    offerUses: await rows(`SELECT u.points::int FROM points.offer_uses u JOIN points.transactions t ON t.id = u.transaction_id WHERE t.member_id = $1`),
    stampEvents: await rows(`SELECT stamps, filled FROM points.stamp_events WHERE member_id = $1 ORDER BY filled, stamps`),
    qualifying: await rows(`SELECT points::int FROM points.qualifying_points WHERE member_id = $1`),
    audit: await rows(`SELECT a.operation, a.outcome FROM points.audit_log a JOIN points.transactions t ON t.id = a.target_id WHERE t.member_id = $1`),
    outbox: await rows(`SELECT type FROM points.event_outbox WHERE member_id = $1 AND type = 'points.earned'`),
  };
}

/** An answer without ids: the awards as they are, the rule ids (campaign, offer, card) kept. */
const shape = (e: Earned) => ({ points: e.transaction.points, awards: e.awards.map((a) => ({ kind: a.kind, points: a.points, funded: a.fundedBy !== null, rule: a.ruleId !== null })) });

describe('earns written together (group commit)', () => {
  it('write and answer exactly what the same earns write one at a time', async () => {
    const cafe = await openCafe();
    const members = 8;
    const alone = await Promise.all(Array.from({ length: members }, () => hub.seed.member(cafe.token)));
    const together = await Promise.all(Array.from({ length: members }, () => hub.seed.member(cafe.token)));
    for (const m of [...alone, ...together]) {
      await activateCafeOffer(hub, cafe, m.token);
    }
    // One member at a time, two earns each: every earn in a transaction of its own.
    const aloneAnswers: Earned[][] = [];
    for (const m of alone) aloneAnswers.push([await mustEarn(cafe, m.id), await mustEarn(cafe, m.id)]);
    // All members at once, twice: the earns queue behind the first and are written in batches.
    const first = await Promise.all(together.map((m) => mustEarn(cafe, m.id)));
    const second = await Promise.all(together.map((m) => mustEarn(cafe, m.id)));

    // The first earn applies the offer (once per member) and stamps the card; the second fills it.
    expect(aloneAnswers[0][0].awards.map((a) => a.kind).sort()).toEqual(['BASE', 'CAMPAIGN', 'OFFER']);
    expect(aloneAnswers[0][1].awards.map((a) => a.kind).sort()).toEqual(['BASE', 'CAMPAIGN', 'STAMP_CARD']);
    for (let i = 0; i < members; i++) {
      expect([shape(first[i]), shape(second[i])]).toEqual(aloneAnswers[i].map(shape));
      const a = await written(alone[i].id, alone[i].token, cafe.cardId);
      const b = await written(together[i].id, together[i].token, cafe.cardId);
      expect(b).toEqual(a);
      expect(b.card).toEqual({ card: { id: cafe.cardId }, stamps: 0, filled: 1 });
      expect(b.audit).toHaveLength(2);
    }

    // They were written together: rows written in one database transaction share its id (xmin); earns
    // written one at a time never do. (A member's first earn makes its account, on its own: the first round.)
    const instants = async (ids: string[]) =>
      Number((await hub.db.query<{ n: string }>('SELECT count(DISTINCT xmin::text) AS n FROM points.transactions WHERE id = ANY($1)', [ids])).rows[0].n);
    expect(await instants(aloneAnswers.map((a) => a[0].transaction.id))).toBe(members);
    expect(await instants(second.map((e) => e.transaction.id))).toBeLessThan(members);
  });

  it('answer a retry sent beside its original with the same transaction, and each earn of one member once', async () => {
    const cafe = await openCafe();
    const members = await Promise.all(Array.from({ length: 6 }, () => hub.seed.member(cafe.token)));
    for (const m of members) await activateCafeOffer(hub, cafe, m.token);
    const keys = members.map(() => randomUUID());
    // Each key sent twice at once, and two more earns of the first member beside them.
    const answers = await Promise.all([
      ...members.flatMap((m, i) => [mustEarn(cafe, m.id, keys[i]), mustEarn(cafe, m.id, keys[i])]),
      mustEarn(cafe, members[0].id),
      mustEarn(cafe, members[0].id),
    ]);
    for (let i = 0; i < members.length; i++) expect(answers[2 * i + 1]).toEqual(answers[2 * i]);
    const counts = await hub.db.query<{ member_id: string; n: string }>(
      `SELECT member_id, count(*) AS n FROM points.transactions WHERE member_id = ANY($1) GROUP BY member_id`,
      [members.map((m) => m.id)],
    );
    const byMember = new Map(counts.rows.map((r) => [r.member_id, Number(r.n)]));
    expect(members.map((m) => byMember.get(m.id))).toEqual([3, 1, 1, 1, 1, 1]);
    // The first member's three earns (its key's two answers are one earn): the offer (one use) applied once,
    // the card (two stamps) filled once.
    const firstMember = [answers[0], answers[2 * members.length], answers[2 * members.length + 1]];
    expect(firstMember.flatMap((e) => e.awards.map((a) => a.kind)).filter((k) => k === 'OFFER')).toHaveLength(1);
    expect(firstMember.flatMap((e) => e.awards.map((a) => a.kind)).filter((k) => k === 'STAMP_CARD')).toHaveLength(1);
    const { me } = await hub.must<{ me: { stampCards: { card: { id: string }; stamps: number; filled: number }[] } }>('{ me { stampCards { card { id } stamps filled } } }', {}, members[0].token);
    expect(me.stampCards.find((c) => c.card.id === cafe.cardId)).toEqual({ card: { id: cafe.cardId }, stamps: 1, filled: 1 });
  });

  it('hand back what a batch does not take: each earn answers for itself', async () => {
    const cafe = await openCafe();
    const members = await Promise.all(Array.from({ length: 5 }, () => hub.seed.member(cafe.token)));
    const unknown = randomUUID();
    const refusedKeys = [randomUUID(), randomUUID()];
    const tooMuch = (memberId: string) =>
      hub.query<{ earnPoints: Earned }>(
        'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
        { input: { memberId, purchase: { amount: '999999999999.00', currency: 'NOK' }, reference: 'R-big', idempotencyKey: refusedKeys[0] } },
        cafe.token,
      );
    const [big, missing, ...ok] = await Promise.all([tooMuch(members[0].id), earn(cafe, unknown, refusedKeys[1]), ...members.map((m) => earn(cafe, m.id))]);
    expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'purchase.amount' });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    for (const r of ok) expect(r.errors).toBeUndefined();
    // The refused earns wrote nothing, not even their keys' claims.
    const { rows } = await hub.db.query<{ n: string }>(`SELECT count(*) AS n FROM points.transactions WHERE member_id = ANY($1)`, [[unknown, ...members.map((m) => m.id)]]);
    expect(Number(rows[0].n)).toBe(members.length);
    const claims = await hub.db.query(`SELECT key FROM points.idempotency_keys WHERE key = ANY($1)`, [refusedKeys]);
    expect(claims.rows).toEqual([]);
    const again = await earn(cafe, members[0].id);
    expect(again.errors).toBeUndefined();
  });

  it('run every earn of a batch alone when the batch fails as a whole (a member locked past its 1 s lock wait)', async () => {
    const cafe = await openCafe();
    const [first, locked, ...others] = await Promise.all(Array.from({ length: 5 }, () => hub.seed.member(cafe.token)));
    // Every member has its account (its first earn, alone), so the batch below takes them all.
    for (const m of [first, locked, ...others]) await mustEarn(cafe, m.id);
    // Two sessions of the test's own, each holding one member's account lock.
    const holders = [await hub.db.connect(), await hub.db.connect()];
    const lockAccount = async (holder: (typeof holders)[number], memberId: string) => {
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1 FOR UPDATE`, [memberId]);
    };
    const waitingOnLocks = async (n: number) => {
      for (let i = 0; i < 200; i++) {
        const { rows } = await hub.db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (Number(rows[0].n) >= n) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`never saw ${n} statements waiting on a lock`);
    };
    try {
      await lockAccount(holders[0], first.id);
      await lockAccount(holders[1], locked.id);
      // The one slot is held by the first member's earn, waiting on its lock; the next four queue behind it.
      const firstEarn = mustEarn(cafe, first.id);
      await waitingOnLocks(1);
      const lockedEarn = mustEarn(cafe, locked.id);
      let othersDone = false;
      const othersEarns = Promise.all(others.map((m) => mustEarn(cafe, m.id))).finally(() => (othersDone = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The first member is released: its earn ends, and the four are taken as one batch, which waits on the
      // locked member. Past the batch's 1 s lock wait it rolls back and each earn runs alone: the others finish
      // while the member is still locked, and the locked member's earn waits for it, as an earn alone always did.
      await holders[0].query('COMMIT');
      await firstEarn;
      const started = Date.now();
      while (!othersDone && Date.now() - started < 15_000) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(othersDone).toBe(true);
      expect(Date.now() - started).toBeGreaterThan(800);
      await holders[1].query('COMMIT');
      const answers = [await lockedEarn, ...(await othersEarns)];
      const ids = answers.map((a) => a.transaction.id);
      const { rows } = await hub.db.query<{ n: string; audited: string }>(
        `SELECT count(*) AS n, (SELECT count(*) FROM points.audit_log WHERE target_id = ANY($1) AND operation = 'earnPoints' AND outcome = 'OK') AS audited
           FROM points.transactions WHERE id = ANY($1)`,
        [ids],
      );
      expect({ n: Number(rows[0].n), audited: Number(rows[0].audited) }).toEqual({ n: 4, audited: 4 });
    } finally {
      for (const holder of holders) {
        await holder.query('ROLLBACK').catch(() => undefined);
        holder.release();
      }
    }
  }, 30_000);

  it('are refused by the database when two of them use one offer past its allowance (its uses check)', async () => {
    const cafe = await openCafe();
    const [member, other] = await Promise.all([hub.seed.member(cafe.token), hub.seed.member(cafe.token)]);
    await activateCafeOffer(hub, cafe, member.token);
    for (const m of [member, other]) await mustEarn(cafe, m.id); // their accounts; the member's one use spent
    const row = async (text: string, params: unknown[]) => (await hub.db.query(text, params)).rows[0];
    const activation = await row('SELECT id FROM points.offer_activations WHERE member_id = $1 AND offer_id = $2', [member.id, cafe.offerId]);
    await hub.db.query('UPDATE points.offer_activations SET uses = 0 WHERE id = $1', [activation.id]);
    const accountOf = async (memberId: string) => (await row(`SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [memberId])).id as string;
    const issued = await row(`SELECT id FROM points.accounts WHERE kind = 'PARTNER_ISSUED' AND owner_id = $1`, [cafe.id]);
    // Two writes in one statement that both use the one-use activation (domain code never lets an earn use
    // another member's, and a batch never takes two earns of one member; the database refuses them anyway).
    const write = async (memberId: string): Promise<EarnWrite> => {
      const id = randomUUID();
      return {
        transaction: { id, partnerId: cafe.id, memberId, reference: `R-${id}`, points: 5n, purchaseMinor: 100n, purchaseCurrency: 'NOK', earnRate: '1', basePoints: 0n,
          tierMultiplierMilli: 1000n, campaignBonus: 0n, unitPrice: '0.01', priceCurrency: 'NOK', blockDrawn: false },
        memberAccountId: await accountOf(memberId),
        lifetimeMonths: 24,
        issuers: [{ accountId: issued.id, partnerId: cafe.id, points: 5n, unitPrice: null, priceCurrency: null }],
        awards: [{ kind: 'OFFER', points: 5n, fundedBy: cafe.id, ruleId: cafe.offerId }],
        storeId: null,
        lines: null,
        offersUsed: [{ activationId: activation.id, points: 5n }],
        stamps: [],
        audit: null,
      };
    };
    const dataSource = hub.subgraphs.points!.dataSource;
    const writes = [await write(member.id), await write(other.id)];
    await expect(dataSource.transaction((manager) => writeEarns(manager, writes))).rejects.toThrow(/offer_activations_uses_check/);
    const uses = await row('SELECT uses FROM points.offer_activations WHERE id = $1', [activation.id]);
    expect(uses.uses).toBe(0);
  });
});
