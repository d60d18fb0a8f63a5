import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ledgerClient, ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
beforeAll(async () => {
  // The erasure reconciler runs often and takes any incomplete request at once (its own test below).
  hub = await startHub({ env: { DONATION_MIN_POINTS: '10', PLEDGE_RELAY_INTERVAL_MS: '200', ERASURE_RECONCILE_INTERVAL_MS: '200', ERASURE_RECONCILE_AFTER_MS: '0',
      // A cashout names the member's bank account and name (the erasure test pays one out first).
      CASHOUT_MIN_POINTS: '100', COALITION_CURRENCY: 'EUR', COALITION_DEBTOR_NAME: 'Coalition Hub AS', COALITION_DEBTOR_IBAN: 'NL91ABNA0417164300', COALITION_DEBTOR_BIC: 'ABNANL2A' } });
});
afterAll(async () => hub?.stop());

const DONATE = 'mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { id status } } }';
const CODE = 'mutation { createRedemptionCode(input: { maxPoints: 50 }) { code } }';

type Rows = Record<string, unknown>[];
type Export = { memberId: string; exportedAt: string; members: Record<string, Rows>; points: Record<string, Rows>; partners: Record<string, Rows>; donations: Record<string, Rows> };

/** A member with some of everything: enrolled by a partner, an earn, a redemption code, a donation. */
async function activeMember(email = `m-${randomUUID()}@example.com`, displayName = `Member ${randomUUID().slice(0, 8)}`, subject?: string) {
  const partner = await hub.seed.partner({ currency: 'NOK' });
  const member = await hub.seed.member(partner.token, { email, displayName });
  const token = subject ? await hub.token({ scope: 'member', member_id: member.id }, { subject }) : member.token;
  const earn = await hub.seed.earn(partner.token, member.id, '500.00', 'NOK');
  const charity = await hub.seed.charity();
  await hub.must(CODE, {}, token);
  const donation = await hub.must<{ donatePoints: { donation: { id: string; status: string } } }>(DONATE, { input: { charityId: charity.id, points: 100, idempotencyKey: `donation-${randomUUID()}` } }, token);
  expect(donation.donatePoints.donation.status).toBe('CONFIRMED');
  return { partner, member, token, earn, charity, donation: donation.donatePoints.donation, email, displayName };
}

const exportUrl = (memberId: string) => new URL(`/members/${memberId}/export.json`, hub.gatewayUrl);
const download = (memberId: string, token?: string) => fetch(exportUrl(memberId), { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('GET /members/{id}/export.json', () => {
  it('gives the member everything each subgraph holds about them, one section per subgraph, as an uncached attachment', async () => {
    const m = await activeMember();
    const response = await download(m.member.id, m.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="member-${m.member.id}-export.json"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const doc = (await response.json()) as Export;
    expect(doc.memberId).toBe(m.member.id);
    expect(Object.keys(doc).sort()).toEqual(['donations', 'exportedAt', 'memberId', 'members', 'partners', 'points']);

    // members: the profile, the card, the enrolment's audit row (the partner's call naming the member).
    expect(doc.members.member).toEqual([expect.objectContaining({ id: m.member.id, email: m.email, display_name: m.displayName, card_number: m.member.cardNumber })]);
    expect(doc.members.cards).toEqual([expect.objectContaining({ card_number: m.member.cardNumber, status: 'ACTIVE' })]);
    expect(doc.members.audit_log.map((r) => [r.operation, r.target_id, r.partner_id])).toEqual([['enrollMember', m.member.id, m.partner.id]]);
    for (const section of ['identity_links', 'member_consents', 'idempotency_keys']) expect(Array.isArray(doc.members[section])).toBe(true);

    // points: the account, the earn (with its partner) and the donation, their postings and lots, the code without its hash.
    expect(doc.points.account).toEqual([expect.objectContaining({ kind: 'MEMBER', owner_id: m.member.id, balance: '400' })]);
    expect(doc.points.transactions.map((t) => [t.kind, t.partner_id, t.points])).toEqual([
      ['EARN', m.partner.id, '500'],
      ['DONATION', null, '-100'],
    ]);
    expect(doc.points.postings).toHaveLength(2);
    expect(doc.points.lots).toEqual([expect.objectContaining({ partner_id: m.partner.id, points: '500', remaining: '400' })]);
    expect(doc.points.redemption_codes).toHaveLength(1);
    expect(Object.keys(doc.points.redemption_codes[0])).not.toContain('code_hash');
    expect(doc.points.donation_postings).toEqual([expect.objectContaining({ donation_id: m.donation.id, outcome: 'POSTED' })]);
    // The member's own calls in the points audit log (the donation's posting is the donations service's call).
    expect(doc.points.audit_log.map((r) => [r.operation, r.member_id])).toEqual([['createRedemptionCode', m.member.id]]);
    expect(doc.points.idempotency_keys).toEqual([]);

    // donations: the donation with its charity's name, its receipt, the member's call and its key.
    expect(doc.donations.donations).toEqual([expect.objectContaining({ id: m.donation.id, charity_id: m.charity.id, status: 'CONFIRMED', points: '100' })]);
    expect(typeof doc.donations.donations[0].charity_name).toBe('string');
    expect(doc.donations.receipts).toEqual([expect.objectContaining({ kind: 'DONATION', subject_id: m.donation.id, charity_id: m.charity.id })]);
    expect(doc.donations.audit_log.map((r) => [r.operation, r.member_id])).toEqual([['donatePoints', m.member.id]]);
    expect(doc.donations.idempotency_keys).toEqual([expect.objectContaining({ operation: 'donatePoints' })]);

    // partners: holds nothing about members but its audit log; still its own section.
    expect(doc.partners).toEqual({ audit_log: [], idempotency_keys: [] });
  });

  it('gives the admin the same document', async () => {
    const m = await activeMember();
    const response = await download(m.member.id, await hub.admin());
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Export;
    expect(doc.members.member[0].email).toBe(m.email);
    expect(doc.points.transactions).toHaveLength(2);
  });

  it('answers anyone else exactly as for a missing member: 404, same body', async () => {
    const m = await activeMember();
    const other = await activeMember();
    const missing = randomUUID();
    const callers = {
      otherMember: other.token,
      partnerThatEnrolled: m.partner.token,
      charity: await hub.token({ scope: 'reports:read', charity_id: m.charity.id }, { subject: `charity-${m.charity.id}` }),
    };
    for (const [who, token] of Object.entries(callers)) {
      const forMember = await download(m.member.id, token);
      const forMissing = await download(missing, token);
      expect([who, forMember.status]).toEqual([who, 404]);
      expect([who, forMissing.status]).toEqual([who, 404]);
      const [a, b] = [await forMember.text(), await forMissing.text()];
      expect(a).toBe(b);
      expect(JSON.parse(a)).toEqual({ errors: [{ message: 'Member not found', extensions: { code: 'NOT_FOUND' } }] });
    }
    // The admin asking for a missing member gets the same answer; not an id at all, too.
    const admin = await hub.admin();
    for (const id of [missing, 'not-an-id']) {
      const response = await download(id, admin);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ errors: [{ message: 'Member not found', extensions: { code: 'NOT_FOUND' } }] });
    }
    // No token: 401, as every download.
    const anonymous = await download(m.member.id);
    expect(anonymous.status).toBe(401);
  });
});

const ERASE = 'mutation($input: EraseMemberInput!) { eraseMember(input: $input) { member { id displayName email cardNumber status } erasure { id completed remaining } } }';
const VERIFY = 'query($c: ID!) { verifyReceiptChain(charityId: $c) { valid length headHash } }';
const LEDGER_CHECK = '{ ledgerCheck { ok } }';
const BY_CARD = 'query($c: String!) { memberByCard(cardNumber: $c) { id } }';
const ENROL = 'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }';
const CASHOUT = 'mutation($input: RequestCashoutInput!) { requestCashout(input: $input) { cashout { id status } } }';
const BATCH = 'mutation($i: CreatePayoutBatchInput!) { createPayoutBatch(input: $i) { batch { id } } }';
const SETTLE = 'mutation($i: SettlePayoutBatchInput!) { settlePayoutBatch(input: $i) { batch { status } } }';
const IBAN = 'DE89370400440532013000';

type Erased = { eraseMember: { member: { id: string; displayName: string; email: string | null; cardNumber: string; status: string }; erasure: { id: string; completed: boolean; remaining: string[] } } };

/** Every text, json or array column of every table of the four schemas holding `needle` (case-insensitive): "schema.table.column" per hit. */
async function whereInDatabase(needle: string): Promise<string[]> {
  const { rows: columns } = await hub.db.query<{ schema: string; table: string; column: string }>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column
       FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema IN ('members', 'points', 'partners', 'donations') AND t.table_type = 'BASE TABLE'
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED'))`,
  );
  expect(columns.length).toBeGreaterThan(40);
  const hits: string[] = [];
  for (const { schema, table, column } of columns) {
    const { rows } = await hub.db.query(`SELECT count(*)::int AS n FROM "${schema}"."${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`, [needle]);
    if (rows[0].n > 0) hits.push(`${schema}.${table}.${column}`);
  }
  return hits;
}

describe('eraseMember', () => {
  it('leaves no table of any schema holding the email, name, card or token subject, while the ledger and receipt chains still verify', async () => {
    const email = `Astrid.Lund.${randomUUID().slice(0, 8)}@example.com`;
    const displayName = `Astrid Lund ${randomUUID().slice(0, 8)}`;
    // The identity provider made the token's subject of the email (some do): it is in audit rows and keys.
    const m = await activeMember(email, displayName, email);
    const admin = await hub.admin();
    // 100 points cashed out to the member's account and paid: the cashout keeps the IBAN and the holder's name.
    await hub.must(CASHOUT, { input: { points: 100, iban: IBAN, idempotencyKey: randomUUID() } }, m.token);
    const batch = await hub.must<{ createPayoutBatch: { batch: { id: string } } }>(BATCH, { i: { idempotencyKey: randomUUID() } }, admin);
    await hub.must(SETTLE, { i: { batchId: batch.createPayoutBatch.batch.id, outcome: 'PAID', failedCashoutIds: [], idempotencyKey: randomUUID() } }, admin);
    for (const needle of [email, displayName, m.member.cardNumber, IBAN]) expect((await whereInDatabase(needle)).length).toBeGreaterThan(0);
    const chainBefore = (await hub.must<{ verifyReceiptChain: { valid: boolean; length: number; headHash: string } }>(VERIFY, { c: m.charity.id }, admin)).verifyReceiptChain;
    expect(chainBefore.valid).toBe(true);

    const erased = (await hub.must<Erased>(ERASE, { input: { memberId: m.member.id, idempotencyKey: `erase-${m.member.id}` } }, admin)).eraseMember;
    expect(erased.erasure).toEqual({ id: expect.any(String), completed: true, remaining: [] });
    expect(erased.member).toEqual({
      id: m.member.id,
      displayName: `Erased member ${erased.erasure.id.slice(0, 8)}`,
      email: `erased-${erased.erasure.id}@erased.invalid`,
      cardNumber: expect.stringMatching(/^\d{16}$/),
      status: 'CLOSED',
    });
    expect(erased.member.cardNumber).not.toBe(m.member.cardNumber);

    // Searched in the database, not through the API: nothing anywhere.
    expect(await whereInDatabase(email)).toEqual([]);
    expect(await whereInDatabase(displayName)).toEqual([]);
    expect(await whereInDatabase(m.member.cardNumber)).toEqual([]);
    expect(await whereInDatabase(IBAN)).toEqual([]);

    // The books still add up: the 300 points left were forfeited to breakage, the chain is the same chain.
    expect((await hub.must<{ ledgerCheck: { ok: boolean } }>(LEDGER_CHECK, {}, admin)).ledgerCheck.ok).toBe(true);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
    const { rows: forfeits } = await hub.db.query(`SELECT points::int FROM points.transactions WHERE member_id = $1 AND kind = 'EXPIRY'`, [m.member.id]);
    expect(forfeits).toEqual([{ points: -300 }]);
    const { rows: account } = await hub.db.query(`SELECT balance::int FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1`, [m.member.id]);
    expect(account).toEqual([{ balance: 0 }]);
    expect((await hub.must<{ verifyReceiptChain: unknown }>(VERIFY, { c: m.charity.id }, admin)).verifyReceiptChain).toEqual(chainBefore);
    // Amounts stay: the donation and the earn are still there, by the member's id.
    const { rows: kept } = await hub.db.query(`SELECT kind, points::int FROM points.transactions WHERE member_id = $1 ORDER BY created_at`, [m.member.id]);
    expect(kept).toEqual([
      { kind: 'EARN', points: 500 },
      { kind: 'DONATION', points: -100 },
      { kind: 'CASHOUT', points: -100 },
      { kind: 'EXPIRY', points: -300 },
    ]);
    const { rows: cashouts } = await hub.db.query('SELECT status, amount_minor::int, holder_name, iban FROM points.cashouts WHERE member_id = $1', [m.member.id]);
    expect(cashouts).toEqual([{ status: 'PAID', amount_minor: expect.any(Number), holder_name: `erased:${erased.erasure.id}`, iban: 'DE00ERASED13000' }]);
    // Each subgraph recorded the erasure once; the audit rows stay, naming the pseudonym.
    for (const schema of ['points', 'donations', 'partners']) {
      const { rows } = await hub.db.query(`SELECT member_id FROM ${schema}.member_erasures WHERE erasure_id = $1`, [erased.erasure.id]);
      expect([schema, rows]).toEqual([schema, [{ member_id: m.member.id }]]);
    }
    const { rows: audit } = await hub.db.query(`SELECT operation, subject FROM points.audit_log WHERE member_id = $1 AND operation = 'createRedemptionCode'`, [m.member.id]);
    expect(audit).toEqual([{ operation: 'createRedemptionCode', subject: `erased:${erased.erasure.id}` }]);

    // Not found by card or email: the old card is unknown, and the email enrols a new member.
    const found = await hub.query<{ memberByCard: unknown }>(BY_CARD, { c: m.member.cardNumber }, m.partner.token);
    expect([found.data, found.errors]).toEqual([{ memberByCard: null }, undefined]);
    const again = await hub.must<{ enrollMember: { member: { id: string } } }>(ENROL, { input: { email, displayName: 'Someone New', idempotencyKey: randomUUID() } }, m.partner.token);
    expect(again.enrollMember.member.id).not.toBe(m.member.id);
  });

  it('erases once: a second request answers the same erasure and changes nothing; only the admin may ask', async () => {
    const m = await activeMember();
    const admin = await hub.admin();
    const first = (await hub.must<Erased>(ERASE, { input: { memberId: m.member.id, idempotencyKey: randomUUID() } }, admin)).eraseMember;
    const second = (await hub.must<Erased>(ERASE, { input: { memberId: m.member.id, idempotencyKey: randomUUID() } }, admin)).eraseMember;
    expect(second).toEqual(first);
    const { rows } = await hub.db.query(`SELECT count(*)::int AS n FROM points.transactions WHERE member_id = $1 AND kind = 'EXPIRY'`, [m.member.id]);
    expect(rows).toEqual([{ n: 1 }]);
    const { rows: requests } = await hub.db.query('SELECT count(*)::int AS n FROM members.member_erasure_requests WHERE member_id = $1', [m.member.id]);
    expect(requests).toEqual([{ n: 1 }]);
    for (const token of [m.token, m.partner.token]) {
      const refused = await hub.query(ERASE, { input: { memberId: m.member.id, idempotencyKey: randomUUID() } }, token);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const missing = await hub.query(ERASE, { input: { memberId: randomUUID(), idempotencyKey: randomUUID() } }, admin);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('completes an erasure left incomplete (open holds keep the forfeit waiting) through the reconciler, exactly once', async () => {
    const m = await activeMember();
    const ledger = ledgerClient(hub);
    const held = await ledger.authorize(m.partner.token, m.member.id, 50, await ledger.code(m.token));
    const holdId = held.data!.authorizeRedemption.hold.id;
    const admin = await hub.admin();
    const erased = (await hub.must<Erased>(ERASE, { input: { memberId: m.member.id, idempotencyKey: randomUUID() } }, admin)).eraseMember;
    // The members subgraph's part is done at once; the ledger waits for the hold, and so do the steps after it.
    expect(erased.erasure).toEqual({ id: expect.any(String), completed: false, remaining: ['points', 'donations', 'partners'] });
    expect(erased.member.displayName).toBe(`Erased member ${erased.erasure.id.slice(0, 8)}`);
    expect(await whereInDatabase(m.email)).toEqual([]);
    const { rows: waiting } = await hub.db.query('SELECT count(*)::int AS n FROM points.member_erasures WHERE erasure_id = $1', [erased.erasure.id]);
    expect(waiting).toEqual([{ n: 0 }]);

    expect((await ledger.void(m.partner.token, holdId)).data?.voidRedemption.hold.status).toBe('VOIDED');
    const deadline = Date.now() + 15_000;
    let completedAt: Date | null = null;
    while (!completedAt && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      completedAt = (await hub.db.query('SELECT completed_at FROM members.member_erasure_requests WHERE id = $1', [erased.erasure.id])).rows[0].completed_at as Date | null;
    }
    expect(completedAt).not.toBeNull();
    const { rows: request } = await hub.db.query('SELECT remaining, subjects FROM members.member_erasure_requests WHERE id = $1', [erased.erasure.id]);
    expect(request).toEqual([{ remaining: [], subjects: [] }]);
    // Once: one forfeit of everything left (500 earned, 100 donated), one record per subgraph, whatever the retries.
    const { rows: forfeits } = await hub.db.query(`SELECT points::int FROM points.transactions WHERE member_id = $1 AND kind = 'EXPIRY'`, [m.member.id]);
    expect(forfeits).toEqual([{ points: -400 }]);
    for (const schema of ['points', 'donations', 'partners']) {
      const { rows } = await hub.db.query(`SELECT count(*)::int AS n FROM ${schema}.member_erasures WHERE member_id = $1`, [m.member.id]);
      expect([schema, rows]).toEqual([schema, [{ n: 1 }]]);
    }
    expect(await whereInDatabase(m.email)).toEqual([]);
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('keeps the audit log append-only apart from the erasure: a row cannot be changed otherwise, nor removed', async () => {
    const { rows } = await hub.db.query(`SELECT id FROM points.audit_log ORDER BY id LIMIT 1`);
    const id = rows[0].id as string;
    await expect(hub.db.query(`UPDATE points.audit_log SET subject = 'someone else' WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(hub.db.query(`UPDATE points.audit_log SET subject = 'erased:x', outcome = 'FORBIDDEN' WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(hub.db.query(`DELETE FROM points.audit_log WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    const { rows: donation } = await hub.db.query(`SELECT id FROM donations.donations WHERE status = 'CONFIRMED' LIMIT 1`);
    await expect(hub.db.query(`UPDATE donations.donations SET idempotency_caller = 'someone else' WHERE id = $1`, [donation[0].id])).rejects.toThrow(/already CONFIRMED/);
  });
});
