import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../support/hub';
import { expectSameAsMissing } from '../support/isolation';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
// A database of its own: one test tampers with receipts on purpose (bypassing the append-only triggers).
beforeAll(async () => {
  hub = await startHub({ isolatedDatabase: true, env: { DONATION_MIN_POINTS: '10', DONATION_POINT_VALUE: '0.01', DONATION_CURRENCY: 'EUR', PLEDGE_RELAY_INTERVAL_MS: '200' } });
});
afterAll(async () => hub?.stop());

const DONATE = 'mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { id points receiptId status createdAt value { amount currency } charity { id name } } } }';
const CREATE_CHARITY = 'mutation($input: CreateCharityInput!) { createCharity(input: $input) { charity { id status verification receivesGifts } } }';
const UPDATE_CHARITY = 'mutation($input: UpdateCharityInput!) { updateCharity(input: $input) { charity { id status verification receivesGifts } } }';
const VERIFY = 'query($c: ID!, $h: ReceiptHeadInput) { verifyReceiptChain(charityId: $c, knownHead: $h) { valid length headHash firstBrokenSeq knownHeadMatches } }';
const REPORT = 'query($f: String!, $t: String!, $c: ID) { donationReport(from: $f, to: $t, charityId: $c) { totalPoints byCharity { charity { id } points donations } } }';
const FROM = '2020-01-01T00:00:00Z';
const TO = '2100-01-01T00:00:00Z';

type Donation = { id: string; points: number; receiptId: string; status: string; value: { amount: string; currency: string }; charity: { id: string } };

async function donor(points = '500.00') {
  const partner = await hub.seed.partner({ currency: 'NOK' });
  const member = await hub.seed.member(partner.token);
  await hub.seed.earn(partner.token, member.id, points, 'NOK');
  return { partner, member };
}

const charityToken = (charityId: string) => hub.token({ scope: 'reports:read', charity_id: charityId }, { subject: `charity-${charityId}` });
const donate = (token: string, charityId: string, points: number, key = randomUUID()) => hub.query<{ donatePoints: { donation: Donation } }>(DONATE, { input: { charityId, points, idempotencyKey: key } }, token);

describe('charities: verification and status', () => {
  it('gives only to active, verified charities (CHARITY_INACTIVE otherwise), and writes nothing for a refusal', async () => {
    const { member } = await donor();
    const admin = await hub.admin();
    const created = await hub.must<{ createCharity: { charity: { id: string; verification: string; receivesGifts: boolean } } }>(
      CREATE_CHARITY,
      { input: { name: `Pending ${randomUUID()}`, description: 'Awaiting checks', verified: false } },
      admin,
    );
    const charityId = created.createCharity.charity.id;
    expect(created.createCharity.charity).toMatchObject({ verification: 'UNVERIFIED', receivesGifts: false });
    expect((await donate(member.token, charityId, 50)).errors?.[0]?.extensions?.code).toBe('CHARITY_INACTIVE');

    const verified = await hub.must<{ updateCharity: { charity: { receivesGifts: boolean } } }>(UPDATE_CHARITY, { input: { charityId, verification: 'VERIFIED' } }, admin);
    expect(verified.updateCharity.charity.receivesGifts).toBe(true);
    expect((await donate(member.token, charityId, 50)).data?.donatePoints.donation.status).toBe('CONFIRMED');

    await hub.must(UPDATE_CHARITY, { input: { charityId, status: 'INACTIVE' } }, admin);
    expect((await donate(member.token, charityId, 50)).errors?.[0]?.extensions?.code).toBe('CHARITY_INACTIVE');
    expect(await count(hub.db, 'donations.donations', 'charity_id = $1', [charityId])).toBe(1);
    // Only the admin onboards and updates charities.
    expect((await hub.query(UPDATE_CHARITY, { input: { charityId, status: 'ACTIVE' } }, member.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('donatePoints', () => {
  it('moves points from the member to the charity account, once per key, with a receipt and a money value', async () => {
    const { member } = await donor();
    const charity = await hub.seed.charity();
    const key = randomUUID();
    const first = await donate(member.token, charity.id, 120, key);
    expect(first.errors).toBeUndefined();
    const donation = first.data!.donatePoints.donation;
    expect(donation).toMatchObject({ points: 120, status: 'CONFIRMED', value: { amount: '1.20', currency: 'EUR' }, charity: { id: charity.id } });
    expect(donation.receiptId).toMatch(/^R-/);

    const replay = await donate(member.token, charity.id, 120, key);
    expect(replay.data?.donatePoints.donation.id).toBe(donation.id);
    expect((await donate(member.token, charity.id, 121, key)).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const ledger = ledgerClient(hub);
    expect((await ledger.points(member.token)).balance).toBe(380);
    const posting = await hub.db.query<{ kind: string; points: string; charity_balance: string }>(
      `SELECT t.kind, t.points::text, (SELECT balance::text FROM points.accounts WHERE kind = 'CHARITY' AND owner_id = $2) AS charity_balance
         FROM points.donation_postings d JOIN points.transactions t ON t.id = d.transaction_id WHERE d.donation_id = $1`,
      [donation.id, charity.id],
    );
    expect(posting.rows).toEqual([{ kind: 'DONATION', points: '-120', charity_balance: '120' }]);
    // Lots consumed oldest first, each draw recorded.
    expect(await count(hub.db, 'points.lot_movements m JOIN points.donation_postings d ON d.transaction_id = m.transaction_id', 'd.donation_id = $1', [donation.id])).toBe(1);
    const mine = await hub.must<{ me: { donations: { id: string; status: string; receipt: unknown }[]; giving: { donations: number; donatedPoints: string } } }>(
      '{ me { donations { id status receipt { receiptId kind points seq value { amount currency } } } giving { donations donatedPoints } } }',
      {},
      member.token,
    );
    expect(mine.me.donations).toEqual([
      { id: donation.id, status: 'CONFIRMED', receipt: { receiptId: donation.receiptId, kind: 'DONATION', points: '120', seq: '1', value: { amount: '1.20', currency: 'EUR' } } },
    ]);
    expect(mine.me.giving).toEqual({ donations: 1, donatedPoints: '120' });
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('refuses more than the member has (INSUFFICIENT_POINTS), counts nothing, and lets the same key be retried later', async () => {
    const { partner, member } = await donor('100.00');
    const charity = await hub.seed.charity();
    const key = randomUUID();
    expect((await donate(member.token, charity.id, 150, key)).errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_POINTS');
    expect(await count(hub.db, 'donations.donations', "charity_id = $1 AND status <> 'FAILED'", [charity.id])).toBe(0);
    expect(await count(hub.db, 'points.transactions', "member_id = $1 AND kind = 'DONATION'", [member.id])).toBe(0);
    await hub.seed.earn(partner.token, member.id, '100.00', 'NOK');
    const retry = await donate(member.token, charity.id, 150, key);
    expect(retry.data?.donatePoints.donation).toMatchObject({ points: 150, status: 'CONFIRMED' });
    expect((await donate(member.token, charity.id, 5)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'points' });
    expect((await donate(member.token, randomUUID(), 20)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('never lets anyone donate from another member: the donor is the token, and the ledger call needs the service credential', async () => {
    const { partner, member } = await donor();
    const victim = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, victim.id, '300.00', 'NOK');
    const charity = await hub.seed.charity();
    // No input names a member: an extra memberId is not even part of the input type.
    const smuggled = await hub.query(DONATE, { input: { charityId: charity.id, points: 50, idempotencyKey: randomUUID(), memberId: victim.id } }, member.token);
    expect(smuggled.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await donate(partner.token, charity.id, 50)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await donate(await hub.admin(), charity.id, 50)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const POST = 'mutation($input: PostDonationInput!) { postDonation(input: $input) { outcome transactionId } }';
    const input = { donationId: randomUUID(), memberId: victim.id, charityId: charity.id, points: 50 };
    // Not in the public supergraph at all.
    expect((await hub.query(POST, { input }, member.token)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // Straight to the points subgraph: members, partners, the admin and look-alike service tokens are refused.
    for (const token of [
      victim.token,
      partner.token,
      await hub.admin(),
      await hub.token({ scope: 'ledger:donate', member_id: member.id }, { subject: 'donations-service' }),
      await hub.token({ scope: 'ledger:donate' }, { subject: 'someone-else' }),
      await hub.token({ scope: 'member' }, { subject: 'donations-service' }),
    ]) {
      expect((await hub.query(POST, { input }, token, 'points')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await ledgerClient(hub).points(victim.token)).balance).toBe(300);
    expect(await count(hub.db, 'points.donation_postings', 'donation_id = $1', [input.donationId])).toBe(0);
  });
});

describe('receipts: a hash chain per charity', () => {
  it('verifies, and detects a tampered receipt row and a trimmed chain', async () => {
    const { member } = await donor('900.00');
    const charity = await hub.seed.charity();
    // More than ten receipts: sequence order is numeric, not textual.
    for (let i = 1; i <= 12; i++) expect((await donate(member.token, charity.id, 10 * i)).errors).toBeUndefined();
    const own = await charityToken(charity.id);
    const ok = await hub.must<{ verifyReceiptChain: { valid: boolean; length: string; headHash: string; firstBrokenSeq: string | null } }>(VERIFY, { c: charity.id }, own);
    expect(ok.verifyReceiptChain).toMatchObject({ valid: true, length: '12', firstBrokenSeq: null });
    const listed = await hub.must<{ receipts: { seq: string; prevHash: string; hash: string }[] }>('query($c: ID!) { receipts(charityId: $c, first: 100) { seq prevHash hash } }', { c: charity.id }, own);
    expect(listed.receipts.map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
    expect(listed.receipts[11].hash).toBe(ok.verifyReceiptChain.headHash);
    const head = { seq: 12, hash: ok.verifyReceiptChain.headHash };
    expect((await hub.must<{ verifyReceiptChain: { knownHeadMatches: boolean } }>(VERIFY, { c: charity.id, h: head }, own)).verifyReceiptChain.knownHeadMatches).toBe(true);

    // Another charity, a partner and a member cannot verify (or even see) this chain.
    const other = await hub.seed.charity();
    expect((await hub.query(VERIFY, { c: charity.id }, await charityToken(other.id))).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await hub.query(VERIFY, { c: charity.id }, member.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The table refuses changes; someone with the power to bypass its triggers changes an amount.
    await expect(hub.db.query('UPDATE donations.receipts SET amount_minor = 1 WHERE charity_id = $1 AND seq = 2', [charity.id])).rejects.toThrow(/append-only/);
    const client = await hub.db.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query('UPDATE donations.receipts SET amount_minor = 1 WHERE charity_id = $1 AND seq = 2', [charity.id]);
      await client.query('SET session_replication_role = origin');
    } finally {
      client.release();
    }
    const tampered = await hub.must<{ verifyReceiptChain: { valid: boolean; firstBrokenSeq: string } }>(VERIFY, { c: charity.id }, own);
    expect(tampered.verifyReceiptChain).toMatchObject({ valid: false, firstBrokenSeq: '2' });
  });

  it('detects a chain trimmed consistently (rows and head record), against a head seen before', async () => {
    const { member } = await donor('900.00');
    const charity = await hub.seed.charity();
    for (const points of [100, 200, 300]) await donate(member.token, charity.id, points);
    const admin = await hub.admin();
    const before = await hub.must<{ verifyReceiptChain: { headHash: string } }>(VERIFY, { c: charity.id }, admin);
    const client = await hub.db.connect();
    try {
      await client.query('SET session_replication_role = replica');
      const { rows } = await client.query<{ hash: string }>('SELECT hash FROM donations.receipts WHERE charity_id = $1 AND seq = 2', [charity.id]);
      await client.query('DELETE FROM donations.receipts WHERE charity_id = $1 AND seq = 3', [charity.id]);
      await client.query('UPDATE donations.receipt_chains SET length = 2, head_hash = $2 WHERE charity_id = $1', [charity.id, rows[0].hash]);
      await client.query('SET session_replication_role = origin');
    } finally {
      client.release();
    }
    const plain = await hub.must<{ verifyReceiptChain: { valid: boolean; length: string } }>(VERIFY, { c: charity.id }, admin);
    expect(plain.verifyReceiptChain).toMatchObject({ valid: true, length: '2' });
    const withHead = await hub.must<{ verifyReceiptChain: { valid: boolean; knownHeadMatches: boolean } }>(VERIFY, { c: charity.id, h: { seq: 3, hash: before.verifyReceiptChain.headHash } }, admin);
    expect(withHead.verifyReceiptChain).toMatchObject({ valid: false, knownHeadMatches: false });
  });
});

describe('reports', () => {
  it('donationReport equals the ledger per charity; a charity reads only its own; others are refused', async () => {
    const { member } = await donor('1000.00');
    const [a, b] = [await hub.seed.charity(), await hub.seed.charity()];
    for (const [c, p] of [[a, 100], [a, 50], [b, 70]] as const) expect((await donate(member.token, c.id, p)).errors).toBeUndefined();
    const admin = await hub.admin();
    type Report = { donationReport: { totalPoints: string; byCharity: { charity: { id: string }; points: string; donations: number }[] } };
    const all = await hub.must<Report>(REPORT, { f: FROM, t: TO }, admin);
    const ledger = await hub.db.query<{ owner_id: string; balance: string }>(`SELECT owner_id, balance::text FROM points.accounts WHERE kind = 'CHARITY'`);
    const confirmed = await hub.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM donations.donations WHERE status = 'CONFIRMED'`);
    // Every charity account in the ledger equals the report's row, and the counts match the DONATION postings.
    for (const row of ledger.rows) expect(all.donationReport.byCharity.find((r) => r.charity.id === row.owner_id)?.points).toBe(row.balance);
    expect(all.donationReport.byCharity.reduce((s, r) => s + r.donations, 0)).toBe(Number(confirmed.rows[0].n));
    expect(await count(hub.db, 'points.transactions', "kind = 'DONATION'")).toBe(Number(confirmed.rows[0].n));

    const ownA = await hub.must<Report>(REPORT, { f: FROM, t: TO }, await charityToken(a.id));
    expect(ownA.donationReport).toEqual({ totalPoints: '150', byCharity: [{ charity: { id: a.id }, points: '150', donations: 2 }] });
    expect((await hub.query(REPORT, { f: FROM, t: TO, c: b.id }, await charityToken(a.id))).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await hub.query(REPORT, { f: FROM, t: TO, c: randomUUID() }, await charityToken(a.id))).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await hub.query(REPORT, { f: FROM, t: TO }, member.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const partner = await hub.seed.partner();
    expect((await hub.query(REPORT, { f: FROM, t: TO }, partner.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A charity token without reports:read reads nothing.
    const bare = await hub.token({ scope: '', charity_id: a.id });
    expect((await hub.query(REPORT, { f: FROM, t: TO }, bare)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('pledges and matching', () => {
  const GIVING = 'query($f: String!, $t: String!, $p: ReportPeriod, $c: ID) { givingReport(from: $f, to: $t, period: $p, charityId: $c) { rows { period kind charity { id } partner { id } count points value { amount currency } } } }';

  it("accrues a partner's pledge on every earn to the member's cause, once, and reverses it with the earn", async () => {
    const partner = await hub.seed.partner({ currency: 'NOK' });
    const member = await hub.seed.member(partner.token);
    const charity = await hub.seed.charity();
    await hub.must('mutation($i: SetPledgeInput!) { setPledge(input: $i) { pledge { percent } } }', { i: { percent: '1.5' } }, partner.token);
    await hub.must('mutation($i: ChooseCauseInput!) { chooseCause(input: $i) { cause { id } } }', { i: { charityId: charity.id } }, member.token);
    const earns = [];
    for (const amount of ['250.00', '99.99', '10.00']) earns.push(await hub.seed.earn(partner.token, member.id, amount, 'NOK'));
    await ledgerClient(hub).reverse(partner.token, earns[2].id);
    const deadline = Date.now() + 15_000;
    while ((await count(hub.db, 'donations.pledge_accruals', 'member_id = $1', [member.id])) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const accruals = await hub.db.query<{ kind: string; amount_minor: string }>(
      'SELECT kind, amount_minor::text FROM donations.pledge_accruals WHERE member_id = $1 ORDER BY occurred_at, kind',
      [member.id],
    );
    // 1.5 % rounded down to the øre: 375.0 → 375, 149.985 → 149, 15 → 15 then reversed.
    expect(accruals.rows).toEqual([
      { kind: 'ACCRUAL', amount_minor: '375' },
      { kind: 'ACCRUAL', amount_minor: '149' },
      { kind: 'ACCRUAL', amount_minor: '15' },
      { kind: 'REVERSAL', amount_minor: '-15' },
    ]);
    const report = await hub.must<{ givingReport: { rows: { kind: string; count: string; value: { amount: string; currency: string } }[] } }>(
      GIVING,
      { f: FROM, t: TO, p: 'MONTH', c: charity.id },
      partner.token,
    );
    expect(report.givingReport.rows).toEqual([expect.objectContaining({ kind: 'PLEDGE', count: '2', value: { amount: '5.24', currency: 'NOK' } })]);
    const other = await hub.seed.partner({ currency: 'NOK' });
    expect((await hub.must<{ givingReport: { rows: unknown[] } }>(GIVING, { f: FROM, t: TO, c: charity.id }, other.token)).givingReport.rows).toEqual([]);
    // A suspended partner takes on no pledge; an unknown one is not found; a member cannot pledge.
    const PLEDGE = 'mutation($i: SetPledgeInput!) { setPledge(input: $i) { pledge { percent } } }';
    await hub.must('mutation($i: SuspendPartnerInput!) { suspendPartner(input: $i) { partner { status } } }', { i: { partnerId: other.id } }, await hub.admin());
    expect((await hub.query(PLEDGE, { i: { percent: '1' } }, other.token)).errors?.[0]?.extensions?.code).toBe('PARTNER_SUSPENDED');
    expect((await hub.query(PLEDGE, { i: { percent: '1', partnerId: randomUUID() } }, await hub.admin())).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await hub.query(PLEDGE, { i: { percent: '1' } }, member.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count(hub.db, 'donations.pledges', 'partner_id = $1', [other.id])).toBe(0);
    const chain = await hub.must<{ verifyReceiptChain: { valid: boolean; length: string } }>(VERIFY, { c: charity.id }, await charityToken(charity.id));
    expect(chain.verifyReceiptChain).toEqual(expect.objectContaining({ valid: true, length: '4' }));
  });

  it('matches donations 1:1 up to the cap, in the confirming transaction', async () => {
    const { partner, member } = await donor('1000.00');
    const charity = await hub.seed.charity();
    await hub.must(
      'mutation($i: CreateMatchCampaignInput!) { createMatchCampaign(input: $i) { campaign { id capPoints } } }',
      { i: { charityId: charity.id, capPoints: 150, endsAt: '2099-01-01T00:00:00Z' } },
      partner.token,
    );
    await donate(member.token, charity.id, 100);
    await donate(member.token, charity.id, 100);
    await donate(member.token, charity.id, 100);
    const matches = await hub.db.query<{ points: string }>('SELECT points::text FROM donations.matches WHERE charity_id = $1 ORDER BY created_at', [charity.id]);
    expect(matches.rows.map((r) => r.points)).toEqual(['100', '50']);
    const report = await hub.must<{ givingReport: { rows: { kind: string; count: string; points: string; value: { amount: string } }[] } }>(
      GIVING,
      { f: FROM, t: TO, p: 'DAY', c: charity.id },
      await hub.admin(),
    );
    const byKind = Object.fromEntries(report.givingReport.rows.map((r) => [r.kind, r]));
    expect(byKind.DONATION).toMatchObject({ count: '3', points: '300', value: { amount: '3.00' } });
    expect(byKind.MATCH).toMatchObject({ count: '2', points: '150', value: { amount: '1.50' } });
  });

  it("shows a charity's goals with live progress from confirmed donations and matches", async () => {
    const { partner, member } = await donor('1000.00');
    const charity = await hub.seed.charity();
    const admin = await hub.admin();
    const GOAL = 'mutation($i: CreateCharityGoalInput!) { createCharityGoal(input: $i) { goal { id targetPoints progressPoints } } }';
    const window = { startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: '2099-01-01T00:00:00Z' };
    const created = await hub.must<{ createCharityGoal: { goal: { targetPoints: string; progressPoints: string } } }>(GOAL, { i: { charityId: charity.id, title: 'Winter shelter', targetPoints: 500, ...window } }, admin);
    expect(created.createCharityGoal.goal).toMatchObject({ targetPoints: '500', progressPoints: '0' });
    expect((await hub.query(GOAL, { i: { charityId: charity.id, title: 'x', targetPoints: 5, ...window } }, partner.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await hub.must(
      'mutation($i: CreateMatchCampaignInput!) { createMatchCampaign(input: $i) { campaign { id } } }',
      { i: { charityId: charity.id, capPoints: 30, endsAt: '2099-01-01T00:00:00Z' } },
      partner.token,
    );
    await donate(member.token, charity.id, 100);
    await donate(member.token, charity.id, 5000); // refused: never counted
    const read = await hub.must<{ charity: { goals: { title: string; progressPoints: string }[] } }>('query($id: ID!) { charity(id: $id) { goals { title progressPoints } } }', { id: charity.id }, member.token);
    expect(read.charity.goals).toEqual([{ title: 'Winter shelter', progressPoints: '130' }]);
  });

  it('exports the giving report as CSV through the gateway, with the same access rules', async () => {
    const { member } = await donor('500.00');
    const charity = await hub.seed.charity(`Csv, "quoted" ${randomUUID()}`);
    await donate(member.token, charity.id, 100);
    await donate(member.token, charity.id, 40);
    const url = new URL('/reports/giving.csv', hub.gatewayUrl);
    url.search = new URLSearchParams({ from: FROM, to: TO, period: 'MONTH', charityId: charity.id }).toString();
    const own = await fetch(url, { headers: { authorization: `Bearer ${await charityToken(charity.id)}` } });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await own.text()).trim().split('\r\n');
    expect(lines[0]).toBe('period,kind,charity_id,charity_name,partner_id,count,points,amount,currency');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,DONATION,${charity.id},"Csv, ""quoted"" `);
    expect(lines[1]).toMatch(/,2,140,1\.40,EUR$/);
    // Another charity's download answers exactly as the download of a charity that does not exist.
    const other = await hub.seed.charity();
    const download = async (charityId: string) => {
      const target = new URL(url);
      target.searchParams.set('charityId', charityId);
      const response = await fetch(target, { headers: { authorization: `Bearer ${await charityToken(other.id)}` } });
      return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as unknown };
    };
    const refused = await download(charity.id);
    expect(refused).toMatchObject({ status: 404, body: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } });
    const missing = randomUUID();
    expectSameAsMissing(refused, charity.id, await download(missing), missing);
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
  });

  it("defuses a charity name that starts like a spreadsheet formula, in the downloaded CSV", async () => {
    const { member } = await donor('500.00');
    const admin = await hub.admin();
    const tag = randomUUID().slice(0, 8);
    // [prefix, name]; tab and CR cannot come through the API (control characters are refused), so those
    // two names are written as data that reached the table another way would be.
    const cases = [
      ['=', `=SUM(1+1) ${tag}`],
      ['+', `+SUM(1+1) ${tag}`],
      ['-', `-SUM(1+1) ${tag}`],
      ['@', `@SUM(1+1) ${tag}`],
      ['full-width =', `\uFF1DSUM(1+1) ${tag}`],
      ['full-width +', `\uFF0BSUM(1+1) ${tag}`],
      ['full-width -', `\uFF0DSUM(1+1) ${tag}`],
      ['full-width @', `\uFF20SUM(1+1) ${tag}`],
      ['tab', `\t=SUM(1+1) ${tag}`],
      ['CR', `\r=SUM(1+1) ${tag}`],
    ] as const;
    for (const [prefix, name] of cases) {
      let charityId: string;
      if (prefix === 'tab' || prefix === 'CR') {
        const refused = await hub.query(CREATE_CHARITY, { input: { name } }, admin);
        expect(refused.errors?.[0]?.extensions, prefix).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
        const { rows } = await hub.db.query<{ id: string }>('INSERT INTO donations.charities (name, name_normalized) VALUES ($1, lower($1)) RETURNING id', [name]);
        charityId = rows[0].id;
      } else {
        charityId = (await hub.seed.charity(name)).id;
      }
      expect((await donate(member.token, charityId, 10)).data?.donatePoints.donation.status, prefix).toBe('CONFIRMED');
      const url = new URL('/reports/giving.csv', hub.gatewayUrl);
      url.search = new URLSearchParams({ from: FROM, to: TO, period: 'MONTH', charityId }).toString();
      const response = await fetch(url, { headers: { authorization: `Bearer ${await charityToken(charityId)}` } });
      expect(response.status, prefix).toBe(200);
      const lines = (await response.text()).split('\r\n');
      // The name's field: a leading apostrophe, and quoted only where RFC 4180 asks (the CR).
      const field = prefix === 'CR' ? `"'${name}"` : `'${name}`;
      expect(lines.slice(1), prefix).toEqual([expect.stringMatching(/^\d{4}-\d{2},DONATION,/), '']);
      expect(lines[1].split(`,${charityId},`)[1], prefix).toBe(`${field},,1,10,0.10,EUR`);
    }
  });
});
