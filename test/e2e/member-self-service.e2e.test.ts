import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidCardNumber } from '../../subgraphs/members/src/domain/card-number';
import { count, startHub, type SubgraphKey, type TestHub } from '../support/hub';
import { TEST_ISSUER } from '../support/keys';

/**
 * Self sign-up through the identity provider (the token's issuer and subject linked to the new member),
 * member tokens resolved through that link in every subgraph, consents as history, and the profile.
 */

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { member { id cardNumber email displayName preferredLanguage } } }';
const SET_CONSENTS =
  'mutation($input: SetConsentsInput!) { setConsents(input: $input) { member { consents { termsVersion marketing partnerDataSharing history { source partnerId termsVersion marketing partnerDataSharing recordedAt } } } } }';
const UPDATE_PROFILE =
  'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { member { id displayName email phone birthDate preferredLanguage } } }';
const ENROLL = 'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }';
const DONATE = 'mutation($input: DonatePointsInput!) { donatePoints(input: $input) { donation { status points } } }';

let hub: TestHub;

beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => hub?.stop());

const signUpToken = (subject: string) => hub.token({ scope: 'member:signup' }, { subject });
/** A member token as an identity provider issues it: the person's subject, no member_id claim. */
const linkedToken = (subject: string) => hub.token({ scope: 'member' }, { subject });

const consents = { termsVersion: '2026-01', marketing: false, partnerDataSharing: false };

function signUpInput(overrides: Record<string, unknown> = {}) {
  return { email: `signup-${randomUUID()}@example.com`, displayName: 'Signe Up', consents, idempotencyKey: randomUUID(), ...overrides };
}

/** The outcome of a request: 'OK', or the first error's code and field. */
function outcome(result: { data?: unknown; errors?: { extensions?: Record<string, unknown> }[]; status: number }): string {
  const error = result.errors?.[0]?.extensions;
  if (error) return [error.code, error.field].filter(Boolean).join(' ');
  return result.data ? 'OK' : `status ${result.status}`;
}

async function signUp(subject: string, overrides: Record<string, unknown> = {}) {
  const result = await hub.query<{ signUp: { member: { id: string; cardNumber: string; email: string; displayName: string; preferredLanguage: string | null } } }>(
    SIGN_UP,
    { input: signUpInput(overrides) },
    await signUpToken(subject),
  );
  expect(result.errors).toBeUndefined();
  return result.data!.signUp.member;
}

describe('signing up through the identity provider', () => {
  it('creates the member with a checked card, records the consents and links the identity; a member token without member_id then acts as the member', async () => {
    const subject = `person-${randomUUID()}`;
    const email = `Signe-${randomUUID()}@Example.com`;
    const member = await signUp(subject, { email, preferredLanguage: 'NB', birthDate: '1990-05-17', consents: { ...consents, marketing: true } });
    expect(isValidCardNumber(member.cardNumber)).toBe(true);
    expect(member).toMatchObject({ email, displayName: 'Signe Up', preferredLanguage: 'nb' });
    const { rows } = await hub.db.query('SELECT issuer, subject, member_id FROM members.identity_links WHERE subject = $1', [subject]);
    expect(rows).toEqual([{ issuer: TEST_ISSUER, subject, member_id: member.id }]);

    const me = await hub.query<{ me: { id: string; email: string; birthDate: string; consents: { termsVersion: string; marketing: boolean; history: { source: string }[] } } }>(
      '{ me { id email birthDate consents { termsVersion marketing history { source } } } }',
      {},
      await linkedToken(subject),
    );
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toEqual({ id: member.id, email, birthDate: '1990-05-17', consents: { termsVersion: '2026-01', marketing: true, history: [{ source: 'SIGN_UP' }] } });
    // The sign-up is audited as any mutation, naming the new member.
    expect(await count(hub.db, 'members.audit_log', "operation = 'signUp' AND outcome = 'OK' AND target_id = $1", [member.id])).toBe(1);
  });

  it('answers ALREADY_MEMBER to a second sign-up of the identity, and the first answer again to a retry with the same key', async () => {
    const subject = `person-${randomUUID()}`;
    const token = await signUpToken(subject);
    const input = signUpInput();
    const first = await hub.query<{ signUp: { member: { id: string } } }>(SIGN_UP, { input }, token);
    const retry = await hub.query<{ signUp: { member: { id: string } } }>(SIGN_UP, { input }, token);
    expect(retry.data?.signUp.member.id).toBe(first.data?.signUp.member.id);
    const again = await hub.query(SIGN_UP, { input: signUpInput() }, token);
    expect(outcome(again)).toBe('ALREADY_MEMBER');
    // A token that already names a member (member_id, or a link found through the member scope) is a member too.
    const both = await hub.token({ scope: 'member:signup member' }, { subject });
    expect(outcome(await hub.query(SIGN_UP, { input: signUpInput() }, both, 'members'))).toBe('ALREADY_MEMBER');
    const claimed = await hub.token({ scope: 'member:signup', member_id: first.data!.signUp.member.id }, { subject: `person-${randomUUID()}` });
    expect(outcome(await hub.query(SIGN_UP, { input: signUpInput() }, claimed, 'members'))).toBe('ALREADY_MEMBER');
    expect(await count(hub.db, 'members.identity_links', 'subject = $1', [subject])).toBe(1);
  });

  it('gives one member to sign-ups racing for one identity: the others ALREADY_MEMBER (different keys) or the same answer (the same key)', async () => {
    const subject = `racer-${randomUUID()}`;
    const token = await signUpToken(subject);
    // One email for all: the identity decides the race, not the email's uniqueness.
    const email = `racer-${randomUUID()}@example.com`;
    const results = await Promise.all(Array.from({ length: 8 }, () => hub.query<{ signUp: { member: { id: string } } }>(SIGN_UP, { input: signUpInput({ email }) }, token)));
    expect(results.map(outcome).sort()).toEqual(['ALREADY_MEMBER', 'ALREADY_MEMBER', 'ALREADY_MEMBER', 'ALREADY_MEMBER', 'ALREADY_MEMBER', 'ALREADY_MEMBER', 'ALREADY_MEMBER', 'OK']);
    expect(await count(hub.db, 'members.members', 'email_normalized = $1', [email])).toBe(1);

    const sameKey = `racer-${randomUUID()}`;
    const sameToken = await signUpToken(sameKey);
    const input = signUpInput();
    const replays = await Promise.all(Array.from({ length: 6 }, () => hub.query<{ signUp: { member: { id: string } } }>(SIGN_UP, { input }, sameToken)));
    expect(replays.map(outcome)).toEqual(Array(6).fill('OK'));
    expect(new Set(replays.map((r) => r.data?.signUp.member.id)).size).toBe(1);
    expect(await count(hub.db, 'members.members', 'email_normalized = $1', [input.email])).toBe(1);
    expect(await count(hub.db, 'members.identity_links', 'subject = $1', [sameKey])).toBe(1);
  });

  it('refuses an email that is already a member\'s (BAD_USER_INPUT on email, as enrolment), and bad input naming the field', async () => {
    const partner = await hub.seed.partner();
    const taken = `taken-${randomUUID()}@example.com`;
    await hub.seed.member(partner.token, { email: taken });
    const token = await signUpToken(`person-${randomUUID()}`);
    const attempt = (overrides: Record<string, unknown>) => hub.query(SIGN_UP, { input: signUpInput(overrides) }, token).then(outcome);
    expect(await attempt({ email: taken.toUpperCase() })).toBe('BAD_USER_INPUT email');
    expect(await attempt({ preferredLanguage: 'de' })).toBe('BAD_USER_INPUT preferredLanguage');
    expect(await attempt({ consents: { ...consents, termsVersion: ' ' } })).toBe('BAD_USER_INPUT consents.termsVersion');
    expect(await attempt({ birthDate: '1890-01-01' })).toBe('BAD_USER_INPUT birthDate');
    // Nothing was linked by the refusals: the identity can still sign up.
    expect(await attempt({})).toBe('OK');
  });

  it('is for people with member:signup only: a partner, an admin and a plain member token are FORBIDDEN', async () => {
    const partner = await hub.seed.partner();
    for (const [name, token] of [
      ['partner', partner.token],
      ['admin', await hub.admin()],
      ['member', await linkedToken(`person-${randomUUID()}`)],
    ] as const) {
      expect(outcome(await hub.query(SIGN_UP, { input: signUpInput() }, token)), name).toBe('FORBIDDEN');
      expect(outcome(await hub.query(SIGN_UP, { input: signUpInput() }, token, 'members')), `${name} at members`).toBe('FORBIDDEN');
    }
  });
});

describe('a member token resolved through the identity link, in every subgraph', () => {
  it('earns (through a partner), reads its points and donates with a token that names no member_id', async () => {
    const subject = `person-${randomUUID()}`;
    const member = await signUp(subject);
    const partner = await hub.seed.partner();
    await hub.seed.earn(partner.token, member.id, '250.00', partner.currency);
    const charity = await hub.seed.charity();
    const token = await linkedToken(subject);

    const donated = await hub.query<{ donatePoints: { donation: { status: string; points: number } } }>(
      DONATE,
      { input: { charityId: charity.id, points: 100, idempotencyKey: randomUUID() } },
      token,
    );
    expect(donated.errors).toBeUndefined();
    expect(donated.data?.donatePoints.donation).toEqual({ status: 'CONFIRMED', points: 100 });
    const mine = await hub.query<{ me: { id: string; points: { balance: number }; donations: { points: number }[] } }>(
      '{ me { id points { balance } donations { points } } }',
      {},
      token,
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.me).toEqual({ id: member.id, points: { balance: 150 }, donations: [{ points: 100 }] });

    // Straight at each subgraph, as the gateway forwards it: each resolves the link on its own.
    const entities = '_entities(representations: [{ __typename: "Member", id: $id }])';
    const points = await hub.query<{ _entities: { points: { balance: number } }[] }>(
      `query($id: ID!) { ${entities} { ... on Member { points { balance } } } }`,
      { id: member.id },
      token,
      'points',
    );
    expect(points.data?._entities).toEqual([{ points: { balance: 150 } }]);
    const code = await hub.query<{ createRedemptionCode: { code: string } }>('mutation { createRedemptionCode(input: { maxPoints: 50 }) { code } }', {}, token, 'points');
    expect(outcome(code)).toBe('OK');
    const giving = await hub.query<{ _entities: { donations: { points: number }[] }[] }>(
      `query($id: ID!) { ${entities} { ... on Member { donations { points } } } }`,
      { id: member.id },
      token,
      'donations',
    );
    expect(giving.data?._entities).toEqual([{ donations: [{ points: 100 }] }]);

    // The data export asks every subgraph, partners included: each must know the linked identity.
    const exported = await fetch(new URL(`/members/${member.id}/export.json`, hub.gatewayUrl), { headers: { authorization: `Bearer ${token}` } });
    expect(exported.status).toBe(200);
    const document = (await exported.json()) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(expect.arrayContaining(['members', 'points', 'partners', 'donations']));
  });

  it('without a link, a member token names no one: FORBIDDEN in members, points and donations, as a token without member_id always was', async () => {
    const token = await linkedToken(`stranger-${randomUUID()}`);
    expect(outcome(await hub.query('{ me { id } }', {}, token, 'members'))).toBe('FORBIDDEN');
    expect(outcome(await hub.query('mutation { createRedemptionCode(input: { maxPoints: 50 }) { code } }', {}, token, 'points'))).toBe('FORBIDDEN');
    const charity = await hub.seed.charity();
    expect(outcome(await hub.query(DONATE, { input: { charityId: charity.id, points: 10, idempotencyKey: randomUUID() } }, token, 'donations'))).toBe('FORBIDDEN');
  });

  it('refuses (UNAUTHENTICATED, 401) a member_id claim that disagrees with the link, in every subgraph and through the gateway; an agreeing one passes', async () => {
    const subject = `person-${randomUUID()}`;
    const member = await signUp(subject);
    const other = await signUp(`person-${randomUUID()}`);
    const lying = await hub.token({ scope: 'member', member_id: other.id }, { subject });
    for (const target of ['members', 'points', 'donations'] as SubgraphKey[]) {
      const result = await hub.query('{ __typename }', {}, lying, target);
      expect(result.status, target).toBe(401);
      expect(outcome(result), target).toBe('UNAUTHENTICATED');
    }
    expect(outcome(await hub.query('{ me { id points { balance } } }', {}, lying))).toBe('UNAUTHENTICATED');
    const honest = await hub.token({ scope: 'member', member_id: member.id }, { subject });
    const me = await hub.query<{ me: { id: string; points: { balance: number } } }>('{ me { id points { balance } } }', {}, honest);
    expect(me.data?.me).toEqual({ id: member.id, points: { balance: 0 } });
    for (const target of ['points', 'donations'] as SubgraphKey[]) expect((await hub.query('{ __typename }', {}, honest, target)).status, target).toBe(200);
  });
});

describe('consents, recorded as history', () => {
  it('appends each change with its source and time; a change that changes nothing appends nothing; the member and the admin read it, a partner is FORBIDDEN', async () => {
    const subject = `person-${randomUUID()}`;
    const member = await signUp(subject);
    const token = await linkedToken(subject);
    const set = (input: Record<string, unknown>) =>
      hub.query<{ setConsents: { member: { consents: { termsVersion: string; marketing: boolean; partnerDataSharing: boolean; history: { source: string; recordedAt: string }[] } } } }>(
        SET_CONSENTS,
        { input },
        token,
      );
    const marketing = await set({ marketing: true });
    expect(marketing.errors).toBeUndefined();
    const unchanged = await set({ marketing: true });
    const terms = await set({ termsVersion: '2026-07', partnerDataSharing: true });
    const final = terms.data!.setConsents.member.consents;
    expect(unchanged.data?.setConsents.member.consents.history).toHaveLength(2);
    expect(final).toMatchObject({ termsVersion: '2026-07', marketing: true, partnerDataSharing: true });
    expect(final.history.map(({ recordedAt: _, ...h }) => h)).toEqual([
      { source: 'SIGN_UP', partnerId: null, termsVersion: '2026-01', marketing: false, partnerDataSharing: false },
      { source: 'SET_CONSENTS', partnerId: null, termsVersion: '2026-01', marketing: true, partnerDataSharing: false },
      { source: 'SET_CONSENTS', partnerId: null, termsVersion: '2026-07', marketing: true, partnerDataSharing: true },
    ]);
    const times = final.history.map((h) => Date.parse(h.recordedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(outcome(await set({ termsVersion: 'v 2' }))).toBe('BAD_USER_INPUT termsVersion');
    expect(outcome(await set({}))).toBe('BAD_USER_INPUT input');
    // The history cannot be rewritten, even by the database's own user.
    await expect(hub.db.query('UPDATE members.member_consents SET marketing = false WHERE member_id = $1', [member.id])).rejects.toThrow(/append-only/);

    const admin = await hub.query<{ member: { consents: { history: unknown[] } } }>(`{ member(id: "${member.id}") { consents { history { source } } } }`, {}, await hub.admin());
    expect(admin.data?.member.consents.history).toHaveLength(3);
    const partner = await hub.seed.partner();
    const seen = await hub.query(`{ member(id: "${member.id}") { consents { marketing } } }`, {}, partner.token);
    expect(outcome(seen)).toBe('FORBIDDEN');
    expect(outcome(await hub.query('mutation { setConsents(input: { marketing: false }) { member { id } } }', {}, partner.token))).toBe('FORBIDDEN');
  });

  it('records an enrolment at a till with the enrolling partner as source: what the till says, or nothing agreed', async () => {
    const partner = await hub.seed.partner();
    const said = await hub.must<{ enrollMember: { member: { id: string } } }>(
      ENROLL,
      { input: { email: `till-${randomUUID()}@example.com`, displayName: 'Till Said', consents: { termsVersion: 'till-3', marketing: true, partnerDataSharing: true }, idempotencyKey: randomUUID() } },
      partner.token,
    );
    const silent = await hub.seed.member(partner.token);
    const admin = await hub.admin();
    const read = async (id: string) =>
      (await hub.must<{ member: { consents: unknown } }>(`{ member(id: "${id}") { consents { termsVersion marketing partnerDataSharing history { source partnerId termsVersion marketing partnerDataSharing } } } }`, {}, admin)).member.consents;
    expect(await read(said.enrollMember.member.id)).toEqual({
      termsVersion: 'till-3',
      marketing: true,
      partnerDataSharing: true,
      history: [{ source: 'ENROLMENT', partnerId: partner.id, termsVersion: 'till-3', marketing: true, partnerDataSharing: true }],
    });
    expect(await read(silent.id)).toEqual({
      termsVersion: null,
      marketing: false,
      partnerDataSharing: false,
      history: [{ source: 'ENROLMENT', partnerId: partner.id, termsVersion: null, marketing: false, partnerDataSharing: false }],
    });
  });

  it("shows a member's email and profile to another partner only while the member consents to partner data sharing; the enrolling partner always", async () => {
    const enroller = await hub.seed.partner();
    const other = await hub.seed.partner();
    const email = `share-${randomUUID()}@example.com`;
    const enrolled = await hub.seed.member(enroller.token, { email });
    const token = await hub.memberToken(enrolled.id);
    expect(outcome(await hub.query(UPDATE_PROFILE, { input: { phone: '+4791234567' } }, token))).toBe('OK');
    const look = async (partnerToken: string) =>
      (await hub.must<{ memberByCard: { email: string | null; phone: string | null } }>(`{ memberByCard(cardNumber: "${enrolled.cardNumber}") { email phone } }`, {}, partnerToken))
        .memberByCard;
    const hidden = { email: null, phone: null };
    const shown = { email, phone: '+4791234567' };
    expect(await look(other.token)).toEqual(hidden);
    expect(await look(enroller.token)).toEqual(shown);
    expect(outcome(await hub.query(SET_CONSENTS, { input: { partnerDataSharing: true } }, token))).toBe('OK');
    expect(await look(other.token)).toEqual(shown);
    expect(outcome(await hub.query(SET_CONSENTS, { input: { partnerDataSharing: false } }, token))).toBe('OK');
    expect(await look(other.token)).toEqual(hidden);
    expect(await look(enroller.token)).toEqual(shown);
  });
});

describe('the profile', () => {
  it('is changed by the member, each field validated with BAD_USER_INPUT naming it; the email stays unique; each change is audited', async () => {
    const subject = `person-${randomUUID()}`;
    const member = await signUp(subject);
    const token = await linkedToken(subject);
    const partner = await hub.seed.partner();
    const taken = `taken-${randomUUID()}@example.com`;
    await hub.seed.member(partner.token, { email: taken });
    const update = (input: Record<string, unknown>) => hub.query(UPDATE_PROFILE, { input }, token).then(outcome);
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const cases: [Record<string, unknown>, string][] = [
      [{ displayName: '   ' }, 'displayName'],
      [{ displayName: 'x'.repeat(101) }, 'displayName'],
      [{ email: 'not-an-email' }, 'email'],
      [{ email: taken.toUpperCase() }, 'email'],
      [{ phone: '91234567' }, 'phone'],
      [{ phone: '+0471234567' }, 'phone'],
      [{ phone: '+47 912' }, 'phone'],
      [{ birthDate: future }, 'birthDate'],
      [{ birthDate: '1899-12-31' }, 'birthDate'],
      [{ birthDate: `${new Date().getUTCFullYear() - 121}-06-01` }, 'birthDate'], // not plausible: over 120 years
      [{ birthDate: '2001-02-29' }, 'birthDate'],
      [{ birthDate: '17.05.1990' }, 'birthDate'],
      [{ preferredLanguage: 'de' }, 'preferredLanguage'],
      [{ preferredLanguage: 'no' }, 'preferredLanguage'],
      [{}, 'input'],
    ];
    for (const [input, field] of cases) expect(await update(input), JSON.stringify(input)).toBe(`BAD_USER_INPUT ${field}`);

    const email = `new-${randomUUID()}@example.com`;
    const result = await hub.query<{ updateProfile: { member: Record<string, string> } }>(
      UPDATE_PROFILE,
      { input: { displayName: ' Signe Ny ', email, phone: '+47 912 34 567', birthDate: '1985-12-24', preferredLanguage: 'SV' } },
      token,
    );
    expect(result.data?.updateProfile.member).toEqual({ id: member.id, displayName: 'Signe Ny', email, phone: '+4791234567', birthDate: '1985-12-24', preferredLanguage: 'sv' });
    expect(await count(hub.db, 'members.audit_log', "operation = 'updateProfile' AND outcome = 'OK' AND target_id = $1", [member.id])).toBe(1);
    expect(await count(hub.db, 'members.audit_log', "operation = 'updateProfile' AND outcome = 'BAD_USER_INPUT'")).toBeGreaterThanOrEqual(cases.length);
    // The old email is free again; the new one is taken.
    expect(await update({ email: member.email })).toBe('OK');
  });

  it('is changed by the admin naming the member; a member cannot name another member (NOT_FOUND), a partner is FORBIDDEN', async () => {
    const member = await signUp(`person-${randomUUID()}`);
    const admin = await hub.admin();
    const byAdmin = await hub.query<{ updateProfile: { member: { id: string; preferredLanguage: string } } }>(
      UPDATE_PROFILE,
      { input: { memberId: member.id, preferredLanguage: 'da' } },
      admin,
    );
    expect(byAdmin.data?.updateProfile.member).toMatchObject({ id: member.id, preferredLanguage: 'da' });
    expect(outcome(await hub.query(UPDATE_PROFILE, { input: { preferredLanguage: 'da' } }, admin))).toBe('BAD_USER_INPUT memberId');
    const otherSubject = `person-${randomUUID()}`;
    await signUp(otherSubject);
    expect(outcome(await hub.query(UPDATE_PROFILE, { input: { memberId: member.id, displayName: 'Hijack' } }, await linkedToken(otherSubject)))).toBe('NOT_FOUND');
    const partner = await hub.seed.partner();
    expect(outcome(await hub.query(UPDATE_PROFILE, { input: { memberId: member.id, displayName: 'Till' } }, partner.token))).toBe('FORBIDDEN');
    expect(outcome(await hub.query(UPDATE_PROFILE, { input: { memberId: member.id, displayName: 'Till' } }, partner.token, 'members'))).toBe('FORBIDDEN');
  });
});
