import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../../../../test/support/hub';

let hub: TestHub;
const CREATE = 'mutation($input: CreateCharityInput!) { createCharity(input: $input) { charity { id name status description } } }';

beforeAll(async () => {
  // Members too: a member token's identity is checked against the members subgraph (lib/src/member-link.ts).
  hub = await startHub({ gateway: false, subgraphs: ['members', 'donations'] });
});
afterAll(async () => hub?.stop());

describe('donations subgraph, called directly', () => {
  it('onboards an active charity that any authenticated caller can read', async () => {
    const name = `Red Cross ${randomUUID()}`;
    const created = await hub.query<{ createCharity: { charity: { id: string; status: string; description: string } } }>(
      CREATE,
      { input: { name, description: 'Relief' } },
      await hub.admin(),
      'donations',
    );
    expect(created.data?.createCharity.charity).toMatchObject({ name, status: 'ACTIVE', description: 'Relief' });
    const id = created.data!.createCharity.charity.id;
    const read = await hub.query<{ charity: { name: string } }>(`{ charity(id: "${id}") { name } }`, {}, await hub.memberToken(randomUUID()), 'donations');
    expect(read.data?.charity.name).toBe(name);
    const dupe = await hub.query(CREATE, { input: { name: name.toLowerCase() } }, await hub.admin(), 'donations');
    expect(dupe.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(await count(hub.db, 'donations.charities', 'name_normalized = lower($1)', [name])).toBe(1);
  });

  it("shows a member's donations to the member and the admin, never to another member", async () => {
    const memberId = randomUUID();
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { id donations { id } } } }';
    const own = await hub.query<{ _entities: unknown[] }>(q, { r: [{ __typename: 'Member', id: memberId }] }, await hub.memberToken(memberId), 'donations');
    expect(own.data?._entities).toEqual([{ id: memberId, donations: [] }]);
    const other = await hub.query<{ _entities: unknown[] }>(q, { r: [{ __typename: 'Member', id: memberId }] }, await hub.memberToken(randomUUID()), 'donations');
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
