import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type SubgraphKey, type TestHub } from '../support/hub';

// A partner learns from enrollMember whether an email is enrolled (the till has to tell the customer); what
// is limited is how many it can test: ENROLLMENT_EMAIL_TAKEN_MAX refusals per partner within the window.
const ENROLL = 'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id } } }';

let hub: TestHub;

beforeAll(async () => {
  hub = await startHub({ subgraphs: ['members', 'partners'], env: { ENROLLMENT_EMAIL_TAKEN_MAX: '3', ENROLLMENT_EMAIL_TAKEN_WINDOW_SECONDS: '3600' } });
});
afterAll(async () => hub?.stop());

/** Enrolls `email` through the gateway or straight at the members port; the error code and field, or 'OK'. */
async function enroll(token: string, email: string, target?: SubgraphKey, extra: Record<string, unknown> = {}): Promise<string> {
  const result = await hub.query(ENROLL, { input: { email, displayName: 'Probe', idempotencyKey: randomUUID(), ...extra } }, token, target);
  const error = result.errors?.[0]?.extensions;
  return error ? [error.code, error.field].filter(Boolean).join(' ') : result.data ? 'OK' : `status ${result.status}`;
}

const fresh = () => `probe-${randomUUID()}@example.com`;

describe('testing whether an email is enrolled', () => {
  it('answers BAD_USER_INPUT on email for an enrolled email, and past the limit refuses every enrolment of that partner with RATE_LIMITED', async () => {
    const owner = await hub.seed.partner();
    const prober = await hub.seed.partner();
    const bystander = await hub.seed.partner();
    const enrolled = fresh();
    expect(await enroll(owner.token, enrolled)).toBe('OK');

    // The answer a till needs: not enrolled again, because the email is a member's (also in another case).
    expect(await enroll(prober.token, enrolled)).toBe('BAD_USER_INPUT email');
    expect(await enroll(prober.token, enrolled.toUpperCase(), 'members')).toBe('BAD_USER_INPUT email');
    expect(await count(hub.db, 'members.audit_log', "operation = 'enrollmentProbeLimit'")).toBe(0);
    expect(await enroll(prober.token, enrolled)).toBe('BAD_USER_INPUT email');
    // The third reached the limit: it is audited, naming the partner.
    const { rows } = await hub.db.query<{ partner_id: string; target_id: string; outcome: string }>(
      "SELECT partner_id, target_id, outcome FROM members.audit_log WHERE operation = 'enrollmentProbeLimit'",
    );
    expect(rows).toEqual([{ partner_id: prober.id, target_id: prober.id, outcome: 'OK' }]);

    // Now every enrolment of that partner is refused, a new email's too (its success would answer the
    // question as well), through the gateway and at the port; nothing is written.
    const unknown = fresh();
    expect(await enroll(prober.token, unknown)).toBe('RATE_LIMITED');
    expect(await enroll(prober.token, enrolled, 'members')).toBe('RATE_LIMITED');
    expect(await count(hub.db, 'members.members', 'email_normalized = $1', [unknown])).toBe(0);
    expect(await count(hub.db, 'members.audit_log', "operation = 'enrollMember' AND partner_id = $1 AND outcome = 'BAD_USER_INPUT'", [prober.id])).toBe(3);
    expect(await count(hub.db, 'members.audit_log', "operation = 'enrollMember' AND partner_id = $1 AND outcome = 'RATE_LIMITED'", [prober.id])).toBe(2);

    // Other partners and the admin are not limited by it.
    expect(await enroll(bystander.token, fresh())).toBe('OK');
    const admin = await hub.admin();
    for (let i = 0; i < 4; i++) expect(await enroll(admin, enrolled)).toBe('BAD_USER_INPUT email');

    // The window is the database's: once the refusals are older than it, the partner enrolls again.
    await hub.db.query("UPDATE members.enrollment_email_refusals SET refused_at = refused_at - interval '3601 seconds' WHERE partner_id = $1", [prober.id]);
    expect(await enroll(prober.token, unknown)).toBe('OK');
  });

  it('does not count other bad input: a malformed email or an unknown referral code is not a probe', async () => {
    const partner = await hub.seed.partner();
    for (let i = 0; i < 3; i++) expect(await enroll(partner.token, `not-an-email-${i}`)).toBe('BAD_USER_INPUT email');
    for (let i = 0; i < 3; i++) expect(await enroll(partner.token, fresh(), undefined, { referralCode: 'ZZZZZZZZ' })).toBe('BAD_USER_INPUT referralCode');
    expect(await count(hub.db, 'members.enrollment_email_refusals', 'partner_id = $1', [partner.id])).toBe(0);
    expect(await enroll(partner.token, fresh())).toBe('OK');
  });
});
