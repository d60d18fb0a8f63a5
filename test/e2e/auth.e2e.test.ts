import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';

let hub: TestHub;
let partner: { id: string; token: string; currency: string };
let member: { id: string; token: string };

beforeAll(async () => {
  hub = await startHub();
  partner = await hub.seed.partner({ currency: 'NOK' });
  member = await hub.seed.member(partner.token);
});
afterAll(async () => hub?.stop());

// Attacks (forged tokens, identity headers, out-of-scope operations) are catalogued in attacks.e2e.test.ts.
describe('authentication', () => {
  it('accepts RS256, ES256 and EdDSA tokens from the trusted issuer', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const token = await hub.token({ scope: 'member', member_id: member.id }, { alg });
      const result = await hub.query<{ me: { id: string } }>('{ me { id } }', {}, token);
      expect(result.errors, alg).toBeUndefined();
      expect(result.data?.me.id).toBe(member.id);
    }
  });
});

describe('authorization', () => {
  it("keeps a member's points and donations to the member: another member's id resolves to nothing", async () => {
    const other = await hub.seed.member(partner.token);
    const viaEntities = await hub.query<{ _entities: unknown[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { id points { balance } } } }',
      { r: [{ __typename: 'Member', id: other.id }] },
      member.token,
      'points',
    );
    expect(viaEntities.data?._entities).toEqual([null]);
    expect(viaEntities.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const own = await hub.query<{ _entities: unknown[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { id points { balance } } } }',
      { r: [{ __typename: 'Member', id: member.id }] },
      member.token,
      'points',
    );
    expect(own.data?._entities).toEqual([{ id: member.id, points: { balance: 0 } }]);
    const memberEntity = await hub.query<{ _entities: unknown[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { id email } } }',
      { r: [{ __typename: 'Member', id: other.id }] },
      member.token,
      'members',
    );
    expect(memberEntity.data?._entities).toEqual([null]);
  });

  it('shows a partner with members:lookup only the available points of a member', async () => {
    const lookup = await hub.partnerToken(partner.id, 'members:lookup');
    const available = await hub.query<{ member: { points: { available: number } } }>(`{ member(id: "${member.id}") { points { available } } }`, {}, lookup);
    expect(available.errors).toBeUndefined();
    expect(available.data?.member.points.available).toBe(0);
    for (const field of ['balance', 'pending']) {
      const refused = await hub.query(`{ member(id: "${member.id}") { points { ${field} } } }`, {}, lookup);
      expect(refused.errors?.[0]?.extensions?.code, field).toBe('FORBIDDEN');
    }
    const enrollOnly = await hub.partnerToken(partner.id, 'members:enroll');
    const enrolled = await hub.query<{ enrollMember: { member: { id: string } } }>(
      'mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { member { id points { available } } } }',
      { input: { email: `enrolled-${randomUUID()}@example.com`, displayName: 'Enrolled', idempotencyKey: randomUUID() } },
      enrollOnly,
    );
    expect(enrolled.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(enrolled.errors?.[0]?.path).toEqual(['enrollMember', 'member', 'points']);
  });
});

describe("the gateway's own check of @authenticated and @requiresScopes", () => {
  it('refuses a whole operation before any subgraph runs when one field asks for a scope the token lacks', async () => {
    const lookup = await hub.partnerToken(partner.id, 'members:lookup');
    const before = await hub.query<{ me: { points: { balance: number } } }>('{ me { points { balance } } }', {}, member.token);
    const refused = await hub.query(
      'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
      { input: { memberId: member.id, purchase: { amount: '10.00', currency: 'NOK' }, reference: 'scope', idempotencyKey: randomUUID() } },
      lookup,
    );
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(refused.errors?.[0]?.message).toBe('Requires scope: points:earn');
    expect(refused.errors?.[0]?.path).toBeUndefined(); // refused by the gateway: a subgraph's refusal has a path
    expect(refused.data ?? null).toBeNull();
    const after = await hub.query<{ me: { points: { balance: number } } }>('{ me { points { balance } } }', {}, member.token);
    expect(after.data?.me.points.balance).toBe(before.data?.me.points.balance);
  });

  it('counts a field as asked for unless @skip or @include leaves it out, and looks inside fragments', async () => {
    const query = 'query($x: Boolean!) { me { id } partners(first: 1) @include(if: $x) { nodes { id } } }';
    const left = await hub.query<{ me: { id: string } }>(query, { x: false }, member.token);
    expect(left.errors).toBeUndefined();
    expect(left.data?.me.id).toBe(member.id);
    // The same document again (the check is worked out once per document), now asking for the field.
    const asked = await hub.query(query, { x: true }, member.token);
    expect(asked.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(asked.errors?.[0]?.path).toBeUndefined();
    const skipped = await hub.query<{ me: { id: string } }>('{ me { id } partners @skip(if: true) { nodes { id } } }', {}, member.token);
    expect(skipped.data?.me.id).toBe(member.id);
    const viaFragment = await hub.query('query { me { id } ...Everyone } fragment Everyone on Query { partners { nodes { id } } }', {}, member.token);
    expect(viaFragment.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(viaFragment.errors?.[0]?.path).toBeUndefined();
    expect(viaFragment.data ?? null).toBeNull();
    const admin = await hub.admin();
    const allowed = await hub.query<{ partners: { nodes: unknown[] } }>('query { ...Everyone } fragment Everyone on Query { partners { nodes { id } } }', {}, admin);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data?.partners.nodes.length).toBeGreaterThan(0);
  });
});

describe('entity representations', () => {
  it('answer a malformed id as a missing object, never as an internal error', async () => {
    const admin = await hub.admin();
    for (const [target, typename, selection] of [
      ['members', 'Member', 'id displayName'],
      ['partners', 'Partner', 'id name'],
      ['donations', 'Charity', 'id name'],
    ] as const) {
      const result = await hub.query<{ _entities: unknown[] }>(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { ${selection} } } }`,
        { r: [{ __typename: typename, id: "1' OR '1'='1" }] },
        admin,
        target,
      );
      expect(result.errors, target).toBeUndefined();
      expect(result.data?._entities, target).toEqual([null]);
    }
    const points = await hub.query<{ _entities: { points: { balance: number } }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { points { balance } } } }',
      { r: [{ __typename: 'Member', id: 'not-a-uuid' }] },
      admin,
      'points',
    );
    expect(points.errors).toBeUndefined();
    expect(points.data?._entities[0].points.balance).toBe(0);
  });
});
