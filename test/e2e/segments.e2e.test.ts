import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { until } from '../support/wait';

/**
 * Segments and personal offers (issue 18, part 3), through the gateway against PostgreSQL: each criterion
 * selects exactly the members it should, partners are kept apart, a personal offer is only for members of
 * its segment who consent to marketing (Member.offers and activateOffer), and the members subgraph's
 * enrolment store and consents reach the ledger. A database of its own: sizes count this file's members only.
 */

let hub: TestHub;
let admin: string;
/** The Oslo grocer, and another partner. */
let grocer: { id: string; token: string };
let other: { id: string; token: string };
let stores: { osloGrocer: string; bergenGrocer: string; osloOther: string; closedGrocer: string };

type Member = { id: string; token: string };
const members: Record<string, Member> = {};


async function store(partnerToken: string, code: string, city: string): Promise<string> {
  const r = await hub.must<{ createStore: { store: { id: string } } }>(
    'mutation($input: CreateStoreInput!) { createStore(input: $input) { store { id } } }',
    { input: { code, name: `Store ${code}`, city, country: 'NO' } },
    partnerToken,
  );
  return r.createStore.store.id;
}

const ENROL = 'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }';

async function enrol(partnerToken: string, input: { storeId?: string; marketing?: boolean; sharing?: boolean; birthDate?: string }): Promise<Member> {
  const r = await hub.must<{ enrollMember: { member: { id: string } } }>(
    ENROL,
    {
      input: {
        email: `s-${randomUUID()}@example.com`,
        displayName: 'Segment Member',
        ...(input.birthDate ? { birthDate: input.birthDate } : {}),
        ...(input.storeId ? { storeId: input.storeId } : {}),
        consents: { termsVersion: '2026-01', marketing: input.marketing ?? false, partnerDataSharing: input.sharing ?? false },
        idempotencyKey: randomUUID(),
      },
    },
    partnerToken,
  );
  const id = r.enrollMember.member.id;
  await registration(id);
  return { id, token: await hub.memberToken(id) };
}

type Registration = { version: number; enrolled_city: string | null; marketing_consent: boolean; partner_data_sharing: boolean };

/** The ledger's registration of a member, once the members subgraph's relay has sent it (at least `version`). */
const registration = async (memberId: string, version = 1): Promise<Registration> =>
  (await until(
    'the registration',
    async () =>
      (await hub.db.query('SELECT version, enrolled_city, marketing_consent, partner_data_sharing FROM points.member_registrations WHERE member_id = $1', [memberId]))
        .rows[0] as Registration | undefined,
    (r) => r !== undefined && r.version >= version,
  )) as Registration;

async function earn(partnerToken: string, memberId: string, amount: string, lines?: { sku: string; category: string; amount: string }[]): Promise<string> {
  const r = await hub.must<{ earnPoints: { transaction: { id: string } } }>(
    'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
    {
      input: {
        memberId,
        purchase: { amount, currency: 'NOK' },
        reference: `R-${randomUUID()}`,
        idempotencyKey: randomUUID(),
        ...(lines ? { lines: lines.map((l) => ({ sku: l.sku, category: l.category, quantity: 1, amount: { amount: l.amount, currency: 'NOK' } })) } : {}),
      },
    },
    partnerToken,
  );
  return r.earnPoints.transaction.id;
}

/**
 * An earn made `daysAgo` days ago, written as the bulk seed writes history (balanced postings, a lot):
 * the API earns at the database's now only.
 */
async function pastEarn(memberId: string, partnerId: string, points: number, daysAgo: number): Promise<void> {
  await hub.db.query(
    `WITH a AS MATERIALIZED (
       SELECT (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1::uuid) AS member_account,
              (SELECT id FROM points.accounts WHERE kind = 'PARTNER_ISSUED' AND owner_id = $2::uuid) AS issued_account,
              gen_random_uuid() AS tx_id, now() - make_interval(days => $4::int) AS at, $3::bigint AS pts
     ), tx AS (
       INSERT INTO points.transactions (id, kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate, base_points, tier_multiplier_milli, campaign_bonus, unit_price, price_currency, created_at)
       SELECT tx_id, 'EARN', $2, $1, 'past-' || tx_id, pts, pts * 100, 'NOK', 1, pts, 1000, 0, 0.01, 'NOK', at FROM a
     ), lots AS (
       INSERT INTO points.lots (account_id, transaction_id, partner_id, points, remaining, earned_at, expires_at)
       SELECT member_account, tx_id, $2, pts, pts, at, at + interval '24 months' FROM a
     )
     INSERT INTO points.postings (transaction_id, account_id, amount, created_at)
     SELECT tx_id, member_account, pts, at FROM a UNION ALL SELECT tx_id, issued_account, -pts, at FROM a`,
    [memberId, partnerId, points, daysAgo],
  );
}

const CREATE = 'mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id size reachableSize partner { id } } } }';

async function segment(token: string, rule: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ id: string; size: number | null; reachableSize: number | null }> {
  const r = await hub.must<{ createSegment: { segment: { id: string; size: number | null; reachableSize: number | null } } }>(
    CREATE,
    { input: { name: `Segment ${randomUUID().slice(0, 8)}`, rule, idempotencyKey: randomUUID(), ...extra } },
    token,
  );
  return r.createSegment.segment;
}

/** The ids of members (of this file's named ones) in a segment, by asking includesMember for each (admin). */
async function membersOf(segmentId: string): Promise<string[]> {
  const names = Object.keys(members).sort();
  const query = `query($s: ID!) { segment(id: $s) { ${names.map((n) => `${n}: includesMember(memberId: "${members[n].id}")`).join(' ')} } }`;
  const r = await hub.must<{ segment: Record<string, boolean> }>(query, { s: segmentId }, admin);
  return names.filter((n) => r.segment[n]);
}

beforeAll(async () => {
  // A partner is told sizes from 3 members (the default is 10; this file's segments are small).
  hub = await startHub({ isolatedDatabase: true, env: { SEGMENT_PARTNER_MIN_SIZE: '3' } });
  admin = await hub.admin();
  await hub.must(
    'mutation($input: ConfigureTiersInput!) { configureTiers(input: $input) { tiers { name } } }',
    { input: { tiers: [{ name: 'Bronze', threshold: 0, multiplier: '1' }, { name: 'Silver', threshold: 100, multiplier: '1' }, { name: 'Gold', threshold: 500, multiplier: '1' }] } },
    admin,
  );
  grocer = await hub.seed.partner({ name: 'Oslo Grocer', currency: 'NOK', earnRate: '1' });
  other = await hub.seed.partner({ name: 'Other Partner', currency: 'NOK', earnRate: '1' });
  stores = {
    osloGrocer: await store(grocer.token, 'OSL-1', 'Oslo'),
    bergenGrocer: await store(grocer.token, 'BGO-1', 'Bergen'),
    osloOther: await store(other.token, 'OSL-9', 'oslo'),
    closedGrocer: await store(grocer.token, 'OSL-2', 'Oslo'),
  };
  await hub.must('mutation($input: UpdateStoreInput!) { updateStore(input: $input) { store { id } } }', { input: { storeId: stores.closedGrocer, active: false } }, grocer.token);

  // goldOslo: Gold, enrolled in Oslo, consents to marketing, born in March, shops produce at the grocer.
  members.goldOslo = await enrol(grocer.token, { storeId: stores.osloGrocer, marketing: true, birthDate: '1990-03-14' });
  // goldOsloQuiet: Gold in Oslo without marketing consent.
  members.goldOsloQuiet = await enrol(grocer.token, { storeId: stores.osloGrocer, marketing: false, sharing: true });
  // silverOslo: Silver in Oslo (enrolled at the other partner's Oslo store), consents to marketing.
  members.silverOslo = await enrol(other.token, { storeId: stores.osloOther, marketing: true, birthDate: '1985-03-02' });
  // goldBergen: Gold in Bergen, consents to marketing, shops at the other partner only.
  members.goldBergen = await enrol(grocer.token, { storeId: stores.bergenGrocer, marketing: true, birthDate: '1979-11-30' });
  // bronze: no store, nothing bought; lapsed for everyone.
  members.bronze = await enrol(grocer.token, { marketing: true });

  await earn(grocer.token, members.goldOslo.id, '300.00', [
    { sku: 'APL', category: 'Produce', amount: '120.00' },
    { sku: 'MLK', category: 'dairy', amount: '180.00' },
  ]);
  await earn(grocer.token, members.goldOslo.id, '300.00');
  await earn(grocer.token, members.goldOsloQuiet.id, '600.00');
  await earn(other.token, members.silverOslo.id, '150.00');
  await earn(other.token, members.goldBergen.id, '700.00');
  // A reversed earn counts for nothing: silverOslo's grocer visit is taken back.
  const reversed = await earn(grocer.token, members.silverOslo.id, '50.00');
  await hub.must(
    'mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { id } } }',
    { input: { transactionId: reversed, idempotencyKey: randomUUID() } },
    grocer.token,
  );
  // goldBergen also shopped at the grocer 40 days ago, and only then.
  await pastEarn(members.goldBergen.id, grocer.id, 10, 40);
}, 120_000);
afterAll(async () => hub?.stop());

describe('registration for segments', () => {
  it("keeps the enrolling store's city and the consents in the ledger", async () => {
    expect(await registration(members.goldOslo.id)).toMatchObject({ enrolled_city: 'Oslo', marketing_consent: true, partner_data_sharing: false });
    expect(await registration(members.goldOsloQuiet.id)).toMatchObject({ enrolled_city: 'Oslo', marketing_consent: false, partner_data_sharing: true });
    expect(await registration(members.bronze.id)).toMatchObject({ enrolled_city: null });
    const kept = await hub.db.query('SELECT enrolled_store_id, enrolled_city FROM members.members WHERE id = $1', [members.goldBergen.id]);
    expect(kept.rows[0]).toEqual({ enrolled_store_id: stores.bergenGrocer, enrolled_city: 'Bergen' });
  });

  it("refuses a store that is not the enrolling partner's own active store, naming storeId, and writes nothing", async () => {
    const cases: [string, string][] = [
      [grocer.token, stores.osloOther], // another partner's store
      [grocer.token, stores.closedGrocer], // closed
      [grocer.token, randomUUID()], // no such store
      [admin, stores.osloGrocer], // the admin enrols at no store
    ];
    for (const [token, storeId] of cases) {
      const email = `refused-${randomUUID()}@example.com`;
      const r = await hub.query(ENROL, { input: { email, displayName: 'Refused', storeId, idempotencyKey: randomUUID() } }, token);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'storeId' });
      expect((await hub.db.query('SELECT count(*)::int AS n FROM members.members WHERE email_normalized = $1', [email])).rows[0].n).toBe(0);
    }
  });

  it("sends a consent change to the ledger (a new registration version), which then selects on it", async () => {
    const member = await enrol(grocer.token, { storeId: stores.osloGrocer, marketing: false });
    const before = await registration(member.id);
    const consenting = await segment(admin, { marketingConsent: true, enrolledCities: ['Oslo'] });
    expect(consenting.size).toBe(2); // goldOslo, silverOslo
    await hub.must('mutation($input: SetConsentsInput!) { setConsents(input: $input) { member { id } } }', { input: { marketing: true } }, member.token);
    const after = await registration(member.id, before.version + 1);
    expect(after).toMatchObject({ marketing_consent: true, enrolled_city: 'Oslo' });
    const again = await hub.must<{ segment: { size: number } }>('query($s: ID!) { segment(id: $s) { size } }', { s: consenting.id }, admin);
    expect(again.segment.size).toBe(3);
    // A change to the terms only is nothing the ledger keeps: no new version.
    await hub.must('mutation($input: SetConsentsInput!) { setConsents(input: $input) { member { id } } }', { input: { termsVersion: '2026-02' } }, member.token);
    await new Promise((r) => setTimeout(r, 300));
    expect((await registration(member.id)).version).toBe(after.version);
    // A closed membership is in no segment.
    await hub.must(
      'mutation($input: CloseMembershipInput!) { closeMembership(input: $input) { member { id } } }',
      { input: { remainingPoints: 'FORFEIT', idempotencyKey: randomUUID() } },
      member.token,
    );
    const closed = await hub.must<{ segment: { size: number } }>('query($s: ID!) { segment(id: $s) { size } }', { s: consenting.id }, admin);
    expect(closed.segment.size).toBe(2);
  });
});

describe('criteria (each selects exactly its members)', () => {
  it('tier, from the running qualifying points by the tier table now', async () => {
    expect(await membersOf((await segment(admin, { tiers: ['gold'] })).id)).toEqual(['goldBergen', 'goldOslo', 'goldOsloQuiet']);
    expect(await membersOf((await segment(admin, { tiers: ['Silver'] })).id)).toEqual(['silverOslo']);
    // The lowest tier holds members with no qualifying points at all.
    expect(await membersOf((await segment(admin, { tiers: ['Bronze'] })).id)).toEqual(['bronze']);
    const unknown = await segment(admin, { tiers: ['Platinum'] });
    expect(unknown.size).toBe(0);
  });

  it('city of the enrolling store, without case', async () => {
    expect(await membersOf((await segment(admin, { enrolledCities: ['OSLO'] })).id)).toEqual(['goldOslo', 'goldOsloQuiet', 'silverOslo']);
    expect(await membersOf((await segment(admin, { enrolledCities: ['Bergen', 'Trondheim'] })).id)).toEqual(['goldBergen']);
  });

  it('birthday month', async () => {
    expect(await membersOf((await segment(admin, { birthMonths: [3] })).id)).toEqual(['goldOslo', 'silverOslo']);
  });

  it('consents', async () => {
    expect(await membersOf((await segment(admin, { marketingConsent: false })).id)).toEqual(['goldOsloQuiet']);
    expect(await membersOf((await segment(admin, { partnerDataSharing: true })).id)).toEqual(['goldOsloQuiet']);
  });

  it('visits and spend at a partner over a period, reversed earns not counted', async () => {
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 30, minVisits: 2 }] })).id)).toEqual(['goldOslo']);
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 30, minVisits: 1 }] })).id)).toEqual(['goldOslo', 'goldOsloQuiet']);
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 60, minVisits: 1 }] })).id)).toEqual(['goldBergen', 'goldOslo', 'goldOsloQuiet']);
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 30, minSpend: { amount: '600', currency: 'NOK' } }] })).id)).toEqual(['goldOslo', 'goldOsloQuiet']);
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 30, minSpend: { amount: '600.01', currency: 'NOK' } }] })).id)).toEqual([]);
    // Spend counts purchases in the criterion's currency only.
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 30, minSpend: { amount: '1', currency: 'SEK' } }] })).id)).toEqual([]);
    // The admin: at any partner.
    expect(await membersOf((await segment(admin, { activity: [{ periodDays: 30, minSpend: { amount: '150', currency: 'NOK' } }] })).id)).toEqual([
      'goldBergen',
      'goldOslo',
      'goldOsloQuiet',
      'silverOslo',
    ]);
  });

  it("spend and visits in a category of the basket (those lines' amount)", async () => {
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 30, category: 'produce', minSpend: { amount: '120', currency: 'NOK' } }] })).id)).toEqual(['goldOslo']);
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 30, category: 'produce', minSpend: { amount: '120.01', currency: 'NOK' } }] })).id)).toEqual([]);
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 30, category: 'DAIRY', minVisits: 1 }] })).id)).toEqual(['goldOslo']);
    expect(await membersOf((await segment(grocer.token, { activity: [{ periodDays: 30, category: 'dairy', minVisits: 2 }] })).id)).toEqual([]);
  });

  it('last activity: active within, and lapsed (never active counts as lapsed)', async () => {
    expect(await membersOf((await segment(grocer.token, { lastActivity: { withinDays: 30 } })).id)).toEqual(['goldOslo', 'goldOsloQuiet', 'silverOslo']);
    // Lapsed at the grocer for 30 days but active within 60: goldBergen's visit 40 days ago.
    expect(await membersOf((await segment(grocer.token, { lastActivity: { withinDays: 60, notWithinDays: 30 } })).id)).toEqual(['goldBergen']);
    expect(await membersOf((await segment(admin, { lastActivity: { notWithinDays: 30 } })).id)).toEqual(['bronze']);
  });

  it('criteria together (AND): Gold members in Oslo, and of them those who may receive marketing', async () => {
    const s = await segment(admin, { tiers: ['Gold'], enrolledCities: ['Oslo'] });
    expect(await membersOf(s.id)).toEqual(['goldOslo', 'goldOsloQuiet']);
    expect(s.size).toBe(2);
    expect(s.reachableSize).toBe(1);
  });

  it('refuses a rule of nothing and bad criteria, naming the field', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{}, 'rule'],
      [{ birthMonths: [13] }, 'rule.birthMonths.0'],
      [{ activity: [{ periodDays: 0, minVisits: 1 }] }, 'rule.activity.0.periodDays'],
      [{ activity: [{ periodDays: 30 }] }, 'rule.activity.0.minVisits'],
      [{ activity: [{ periodDays: 30, minSpend: { amount: '10', currency: 'XXQ' } }] }, 'rule.activity.0.minSpend.currency'],
      [{ lastActivity: { withinDays: 10, notWithinDays: 20 } }, 'rule.lastActivity.notWithinDays'],
    ];
    for (const [rule, field] of bad) {
      const r = await hub.query(CREATE, { input: { name: 'Bad', rule, idempotencyKey: randomUUID() } }, admin);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('partners kept apart', () => {
  it('a partner is not told a size that singles members out (below SEGMENT_PARTNER_MIN_SIZE), the admin is', async () => {
    const active = await segment(grocer.token, { lastActivity: { withinDays: 30 } });
    expect(active).toMatchObject({ size: 3, reachableSize: null });
    const small = await segment(grocer.token, { tiers: ['Gold'], enrolledCities: ['Oslo'] });
    expect(small).toMatchObject({ size: null, reachableSize: null });
    const byAdmin = await hub.must<{ segment: { size: number; reachableSize: number } }>('query($s: ID!) { segment(id: $s) { size reachableSize } }', { s: small.id }, admin);
    expect(byAdmin.segment).toEqual({ size: 2, reachableSize: 1 });
  });

  it("a partner's segment uses only its own spend, visits and last activity", async () => {
    const r = await hub.query(CREATE, { input: { name: 'Theirs', rule: { activity: [{ partnerId: other.id, periodDays: 30, minVisits: 1 }] }, idempotencyKey: randomUUID() } }, grocer.token);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rule.activity.0.partnerId' });
    const last = await hub.query(CREATE, { input: { name: 'Theirs', rule: { lastActivity: { partnerId: other.id, withinDays: 30 } }, idempotencyKey: randomUUID() } }, grocer.token);
    expect(last.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rule.lastActivity.partnerId' });
    // Omitted means its own: the grocer's visits, never the other partner's (goldBergen and silverOslo shop there).
    const own = await segment(grocer.token, { activity: [{ periodDays: 30, minVisits: 1 }] });
    const stored = await hub.must<{ segment: { partner: { id: string }; rule: { activity: { partner: { id: string } }[] } } }>(
      'query($s: ID!) { segment(id: $s) { partner { id } rule { activity { partner { id } } } } }',
      { s: own.id },
      grocer.token,
    );
    expect(stored.segment).toEqual({ partner: { id: grocer.id }, rule: { activity: [{ partner: { id: grocer.id } }] } });
    // Making one for another partner looks like a missing partner.
    const forOther = await hub.query(CREATE, { input: { name: 'X', partnerId: other.id, rule: { tiers: ['Gold'] }, idempotencyKey: randomUUID() } }, grocer.token);
    expect(forOther.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("another partner's segment looks missing; the coalition's shows without its rule", async () => {
    const mine = await segment(grocer.token, { tiers: ['Gold'] });
    const coalition = await segment(admin, { tiers: ['Gold'], activity: [{ partnerId: other.id, periodDays: 30, minVisits: 1 }] });
    const read = (id: string, token: string) => hub.query<{ segment: { id: string; rule: unknown } | null }>('query($s: ID!) { segment(id: $s) { id rule { tiers } } }', { s: id }, token);
    expect((await read(mine.id, other.token)).data?.segment).toBeNull();
    expect((await read(mine.id, grocer.token)).data?.segment).toEqual({ id: mine.id, rule: { tiers: ['Gold'] } });
    expect((await read(coalition.id, grocer.token)).data?.segment).toEqual({ id: coalition.id, rule: null });
    const listed = await hub.must<{ segments: { id: string }[] }>('{ segments { id } }', {}, other.token);
    expect(listed.segments.map((s) => s.id)).toContain(coalition.id);
    expect(listed.segments.map((s) => s.id)).not.toContain(mine.id);
    // includesMember is the admin's (support) only.
    const probe = await hub.query(`query($s: ID!) { segment(id: $s) { includesMember(memberId: "${members.goldOslo.id}") } }`, { s: mine.id }, grocer.token);
    expect(probe.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A member sees no segments.
    expect((await hub.query('{ segments { id } }', {}, members.goldOslo.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("an offer targets only its partner's own segments or the coalition's", async () => {
    const mine = await segment(grocer.token, { tiers: ['Gold'] });
    const coalition = await segment(admin, { tiers: ['Gold'] });
    const create = (token: string, segmentId: string, partnerId?: string) =>
      hub.query<{ createOffer: { offer: { id: string; segmentId: string } } }>(
        'mutation($input: CreateOfferInput!) { createOffer(input: $input) { offer { id segmentId } } }',
        { input: { title: 'Targeted', kind: 'BONUS_POINTS', points: 10, segmentId, ...(partnerId ? { partnerId } : {}) } },
        token,
      );
    expect((await create(grocer.token, mine.id)).data?.createOffer.offer.segmentId).toBe(mine.id);
    expect((await create(other.token, coalition.id)).data?.createOffer.offer.segmentId).toBe(coalition.id);
    const refused = await create(other.token, mine.id);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'segmentId' });
    // The admin too: the grocer's segment is not for the other partner's offers.
    const byAdmin = await create(admin, mine.id, other.id);
    expect(byAdmin.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'segmentId' });
    expect((await hub.db.query("SELECT count(*)::int AS n FROM partners.offers WHERE partner_id = $1 AND title = 'Targeted' AND segment_id = $2", [other.id, mine.id])).rows[0].n).toBe(0);
    // Changing an offer: the same check; null makes it an offer for everyone again.
    const offerId = (await create(other.token, coalition.id)).data!.createOffer.offer.id;
    const update = (segmentId: string | null) =>
      hub.query<{ updateOffer: { offer: { segmentId: string | null } } }>(
        'mutation($input: UpdateOfferInput!) { updateOffer(input: $input) { offer { segmentId } } }',
        { input: { offerId, segmentId } },
        other.token,
      );
    expect((await update(mine.id)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'segmentId' });
    expect((await update(null)).data?.updateOffer.offer.segmentId).toBeNull();
  });
});

describe('personal offers', () => {
  let goldInOslo: string;
  let personalOffer: string;
  let everyoneOffer: string;
  const ACTIVATE = 'mutation($input: ActivateOfferInput!) { activateOffer(input: $input) { activation { offerId } } }';
  const OFFERS = '{ me { points { balance } offers { offerId title personal activated partner { id } } } }';

  beforeAll(async () => {
    // Gold members in Oslo, the grocer's own segment, and its offer for them.
    goldInOslo = (await segment(grocer.token, { tiers: ['Gold'], enrolledCities: ['Oslo'] })).id;
    const offer = (input: Record<string, unknown>) =>
      hub.must<{ createOffer: { offer: { id: string } } }>('mutation($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }', { input }, grocer.token);
    personalOffer = (await offer({ title: 'Gold in Oslo: double points', kind: 'MULTIPLIER', multiplier: '2', segmentId: goldInOslo })).createOffer.offer.id;
    everyoneOffer = (await offer({ title: 'Everyone: 25 extra', kind: 'BONUS_POINTS', points: 25 })).createOffer.offer.id;
  });

  /** The member's offers among this block's two (the tests above left other partners' offers in the catalogue). */
  const listed = async (m: Member) =>
    (await hub.must<{ me: { offers: { offerId: string; personal: boolean; activated: boolean }[] } }>(OFFERS, {}, m.token)).me.offers
      .filter((o) => o.offerId === personalOffer || o.offerId === everyoneOffer)
      .map((o) => ({ offerId: o.offerId, personal: o.personal, activated: o.activated }));

  it('a Gold member in Oslo who consents to marketing sees the personal offer and activates it', async () => {
    const before = await listed(members.goldOslo);
    expect(before.find((o) => o.offerId === personalOffer)).toEqual({ offerId: personalOffer, personal: true, activated: false });
    expect(before.find((o) => o.offerId === everyoneOffer)).toEqual({ offerId: everyoneOffer, personal: false, activated: false });
    const r = await hub.must<{ activateOffer: { activation: { offerId: string } } }>(ACTIVATE, { input: { offerId: personalOffer } }, members.goldOslo.token);
    expect(r.activateOffer.activation.offerId).toBe(personalOffer);
    expect((await listed(members.goldOslo)).find((o) => o.offerId === personalOffer)?.activated).toBe(true);
  });

  it('anyone else is refused as for an offer that is not there: no consent, another tier, another city', async () => {
    const unknown = await hub.query(ACTIVATE, { input: { offerId: randomUUID() } }, members.goldOsloQuiet.token);
    for (const m of [members.goldOsloQuiet, members.silverOslo, members.goldBergen]) {
      expect((await listed(m)).map((o) => o.offerId)).toEqual([everyoneOffer]);
      const r = await hub.query(ACTIVATE, { input: { offerId: personalOffer } }, m.token);
      expect(r.errors?.[0]?.extensions?.code).toBe('OFFER_NOT_AVAILABLE');
      expect(r.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    }
    expect((await hub.db.query('SELECT count(*)::int AS n FROM points.offer_activations WHERE offer_id = $1', [personalOffer])).rows[0].n).toBe(1);
  });

  it('withdrawing marketing consent takes the personal offer away', async () => {
    const member = members.goldOslo;
    const version = (await registration(member.id)).version;
    await hub.must('mutation($input: SetConsentsInput!) { setConsents(input: $input) { member { id } } }', { input: { marketing: false } }, member.token);
    await registration(member.id, version + 1);
    expect((await listed(member)).map((o) => o.offerId)).toEqual([everyoneOffer]);
    await hub.must('mutation($input: SetConsentsInput!) { setConsents(input: $input) { member { id } } }', { input: { marketing: true } }, member.token);
    await registration(member.id, version + 2);
    expect((await listed(member)).map((o) => o.offerId).sort()).toEqual([everyoneOffer, personalOffer].sort());
  });

  it("Member.offers is the member's and the admin's only", async () => {
    const q = `query($id: ID!) { member(id: $id) { offers { offerId } } }`;
    const byAdmin = await hub.must<{ member: { offers: { offerId: string }[] } }>(q, { id: members.goldOslo.id }, admin);
    expect(byAdmin.member.offers.map((o) => o.offerId)).toEqual(expect.arrayContaining([everyoneOffer, personalOffer]));
    const byPartner = await hub.query(q, { id: members.goldOslo.id }, grocer.token);
    expect(byPartner.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the tier a segment reads is the tier the member holds', () => {
  it("an admin's override in force counts, in the size and for one member (last: overrides are for good)", async () => {
    const gold = await segment(admin, { tiers: ['Gold'] });
    const before = gold.size as number; // the admin always sees the count
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await hub.must(
      'mutation($input: OverrideMemberTierInput!) { overrideMemberTier(input: $input) { override { id } } }',
      { input: { memberId: members.bronze.id, tier: 'Gold', endsAt: until, reason: 'status match', idempotencyKey: randomUUID() } },
      admin,
    );
    expect(await membersOf(gold.id)).toEqual(['bronze', 'goldBergen', 'goldOslo', 'goldOsloQuiet']);
    const after = await hub.must<{ segment: { size: number } }>('query($s: ID!) { segment(id: $s) { size } }', { s: gold.id }, admin);
    expect(after.segment.size).toBe(before + 1);
    expect(await membersOf((await segment(admin, { tiers: ['Bronze'] })).id)).toEqual([]);
  });
});
