import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

/**
 * Why a member got each point (issue 17, "awards, explained"): the earn answers its awards, the member's
 * history shows the same ones, and the database refuses awards that do not add up to the transaction.
 * Its own database: coalition-wide campaigns here would change every other test's earns.
 */
let hub: TestHub;
let cafe: { id: string; token: string; currency: string };

beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true });
  cafe = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
});
afterAll(async () => hub?.stop());

const AWARDS = 'awards { kind points fundedBy { id } ruleId }';
type AwardRow = { kind: string; points: number; fundedBy: { id: string } | null; ruleId: string | null };

export async function earnWithAwards(hub: TestHub, token: string, input: Record<string, unknown>) {
  const key = randomUUID();
  return hub.query<{ earnPoints: { transaction: { id: string; points: number; awards: AwardRow[] }; awards: AwardRow[] } }>(
    `mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id points ${AWARDS} } ${AWARDS} } }`,
    { input: { reference: `R-${key}`, idempotencyKey: key, ...input } },
    token,
  );
}

async function campaign(token: string, input: Record<string, unknown>): Promise<string> {
  const start = new Date(Date.now() - 60_000).toISOString();
  const end = new Date(Date.now() + 3_600_000).toISOString();
  const r = await hub.must<{ createCampaign: { campaign: { id: string } } }>(
    'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }',
    { input: { name: `c-${randomUUID()}`, startsAt: start, endsAt: end, ...input } },
    token,
  );
  return r.createCampaign.campaign.id;
}

describe('awards', () => {
  it('explains an earn: base, tier and each campaign with its funder and id, the same in the history', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '5000.00', 'NOK'); // Silver: x1.25
    const own = await campaign(partner.token, { multiplier: '2', bonusPoints: 10 });
    const r = await earnWithAwards(hub, partner.token, { memberId: member.id, purchase: { amount: '100.00', currency: 'NOK' } });
    expect(r.errors).toBeUndefined();
    const { transaction, awards } = r.data!.earnPoints;
    // 100 base, x1.25 tier = 125, x2 campaign = 250, +10 fixed: 260.
    expect(transaction.points).toBe(260);
    expect(awards).toEqual([
      { kind: 'BASE', points: 100, fundedBy: { id: partner.id }, ruleId: null },
      { kind: 'TIER', points: 25, fundedBy: { id: partner.id }, ruleId: null },
      { kind: 'CAMPAIGN', points: 135, fundedBy: { id: partner.id }, ruleId: own },
    ]);
    expect(transaction.awards).toEqual(awards);
    const history = await hub.must<{ me: { points: { history: { nodes: { id: string; awards: AwardRow[] }[] } } } }>(
      `{ me { points { history(first: 5) { nodes { id ${AWARDS} } } } } }`,
      {},
      member.token,
    );
    expect(history.me.points.history.nodes[0]).toEqual({ id: transaction.id, awards });
    expect(history.me.points.history.nodes[1].awards).toEqual([{ kind: 'BASE', points: 5000, fundedBy: { id: partner.id }, ruleId: null }]);
  });

  it('a transaction read by id shows its awards to its partner', async () => {
    const member = await hub.seed.member(cafe.token);
    const tx = await hub.seed.earn(cafe.token, member.id, '3.00', 'NOK');
    const seen = await hub.must<{ pointsTransaction: { awards: AwardRow[] } }>(`query($id: ID!) { pointsTransaction(id: $id) { ${AWARDS} } }`, { id: tx.id }, cafe.token);
    expect(seen.pointsTransaction.awards).toEqual([{ kind: 'BASE', points: 3, fundedBy: { id: cafe.id }, ruleId: null }]);
  });

  it('the database refuses awards that do not add up to the transaction', async () => {
    const member = await hub.seed.member(cafe.token);
    const tx = await hub.seed.earn(cafe.token, member.id, '3.00', 'NOK');
    await expect(
      hub.db.query(`INSERT INTO points.transaction_awards (transaction_id, position, kind, points, funded_by) VALUES ($1, 1, 'GOODWILL', 5, NULL)`, [tx.id]),
    ).rejects.toThrow(/awards of transaction .* add up to 8 but it moves 3 points/);
  });
});

describe('who pays', () => {
  it("a coalition-wide campaign is paid by the coalition's marketing budget, and a refund gives its points back to it", async () => {
    const partner = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(partner.token);
    const coalitionWide = await campaign(await hub.admin(), { bonusPoints: 7 });
    const r = await earnWithAwards(hub, partner.token, { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' } });
    const { transaction, awards } = r.data!.earnPoints;
    expect(awards).toEqual([
      { kind: 'BASE', points: 10, fundedBy: { id: partner.id }, ruleId: null },
      { kind: 'CAMPAIGN', points: 7, fundedBy: null, ruleId: coalitionWide },
    ]);
    const postings = async (id: string) =>
      (
        await hub.db.query<{ kind: string; amount: string }>(
          `SELECT a.kind, p.amount::text FROM points.postings p JOIN points.accounts a ON a.id = p.account_id WHERE p.transaction_id = $1 ORDER BY a.kind`,
          [id],
        )
      ).rows;
    expect(await postings(transaction.id)).toEqual([
      { kind: 'COALITION_MARKETING', amount: '-7' },
      { kind: 'MEMBER', amount: '17' },
      { kind: 'PARTNER_ISSUED', amount: '-10' },
    ]);
    // The member's lots name each issuer: the partner's 10, the coalition's 7 at its marketing price.
    const lots = await hub.db.query<{ partner_id: string | null; points: string }>('SELECT partner_id, points::text FROM points.lots WHERE transaction_id = $1 ORDER BY partner_id NULLS FIRST', [transaction.id]);
    expect(lots.rows).toEqual([
      { partner_id: null, points: '7' },
      { partner_id: partner.id, points: '10' },
    ]);
    const reversed = await hub.must<{ reverseTransaction: { transaction: { id: string } } }>(
      'mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { id } } }',
      { input: { transactionId: transaction.id, idempotencyKey: randomUUID() } },
      partner.token,
    );
    expect(await postings(reversed.reverseTransaction.transaction.id)).toEqual([
      { kind: 'COALITION_MARKETING', amount: '7' },
      { kind: 'MEMBER', amount: '-17' },
      { kind: 'PARTNER_ISSUED', amount: '10' },
    ]);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });
});
