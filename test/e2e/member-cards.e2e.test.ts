import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidCardNumber } from '../../subgraphs/members/src/domain/card-number';
import { startHub, type TestHub } from '../support/hub';
import { ledgerViolations, NO_VIOLATIONS } from '../support/ledger';

let hub: TestHub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => hub?.stop());

const REPLACE = 'mutation($input: ReplaceCardInput!) { replaceCard(input: $input) { member { id cardNumber cards { cardNumber status blockReason blockedAt } } } }';
const BY_CARD = 'query($c: String!) { memberByCard(cardNumber: $c) { id cardNumber } }';
const ME = '{ me { id cardNumber points { balance history(first: 50) { nodes { id points kind } } } } }';

type Card = { cardNumber: string; status: string; blockReason: string | null; blockedAt: string | null };
type Replaced = { replaceCard: { member: { id: string; cardNumber: string; cards: Card[] | null } } };
const replace = (token: string, input: Record<string, unknown>) => hub.query<Replaced>(REPLACE, { input: { idempotencyKey: randomUUID(), ...input } }, token);

describe('replaceCard', () => {
  it('blocks the old number (CARD_BLOCKED at a till), issues a new one with its check digit, and keeps every point and the history', async () => {
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    await hub.seed.earn(partner.token, member.id, '250.00', 'NOK');
    const before = await hub.must<{ me: { points: { balance: number; history: { nodes: unknown[] } } } }>(ME, {}, member.token);
    expect(before.me.points.history.nodes).toHaveLength(1);
    expect(before.me.points.balance).toBe(250);

    const key = randomUUID();
    const first = await replace(member.token, { reason: 'LOST', idempotencyKey: key });
    expect(first.errors).toBeUndefined();
    const replaced = first.data!.replaceCard.member;
    expect(replaced.id).toBe(member.id);
    expect(replaced.cardNumber).not.toBe(member.cardNumber);
    expect(isValidCardNumber(replaced.cardNumber)).toBe(true);
    expect(replaced.cards).toEqual([
      { cardNumber: member.cardNumber, status: 'BLOCKED', blockReason: 'LOST', blockedAt: expect.any(String) },
      { cardNumber: replaced.cardNumber, status: 'ACTIVE', blockReason: null, blockedAt: null },
    ]);

    // The same key answers the same card; another input under it is refused.
    expect((await replace(member.token, { reason: 'LOST', idempotencyKey: key })).data?.replaceCard.member.cardNumber).toBe(replaced.cardNumber);
    expect((await replace(member.token, { reason: 'STOLEN', idempotencyKey: key })).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const old = await hub.query(BY_CARD, { c: member.cardNumber }, partner.token);
    expect(old.errors?.[0]?.extensions?.code).toBe('CARD_BLOCKED');
    expect(old.data?.memberByCard ?? null).toBeNull();
    expect((await hub.query<{ memberByCard: { id: string } }>(BY_CARD, { c: replaced.cardNumber }, partner.token)).data?.memberByCard.id).toBe(member.id);

    // Points are the member's, not the card's: the balance and the history are exactly what they were,
    // and the till earns on the new card's member as before.
    const after = await hub.must(ME, {}, member.token);
    expect(after).toEqual({ me: { ...before.me, cardNumber: replaced.cardNumber } });
    await hub.seed.earn(partner.token, member.id, '10.00', 'NOK');
    expect((await hub.must<{ me: { points: { balance: number } } }>(ME, {}, member.token)).me.points.balance).toBe(260);

    // A second replacement keeps both earlier numbers, both blocked.
    const second = await replace(member.token, { reason: 'DAMAGED' });
    expect(second.data!.replaceCard.member.cards!.map((c) => [c.cardNumber, c.status, c.blockReason])).toEqual([
      [member.cardNumber, 'BLOCKED', 'LOST'],
      [replaced.cardNumber, 'BLOCKED', 'DAMAGED'],
      [second.data!.replaceCard.member.cardNumber, 'ACTIVE', null],
    ]);
    expect((await hub.query(BY_CARD, { c: replaced.cardNumber }, partner.token)).errors?.[0]?.extensions?.code).toBe('CARD_BLOCKED');
    expect(await ledgerViolations(hub.db)).toEqual(NO_VIOLATIONS);
  });

  it('a partner with members:enroll replaces a card naming the member; the admin too; nobody else', async () => {
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const other = await hub.seed.member(partner.token);

    const missing = await replace(partner.token, { reason: 'STOLEN' });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'memberId' });
    const atTill = await replace(partner.token, { memberId: member.id, reason: 'STOLEN' });
    expect(atTill.errors).toBeUndefined();
    expect(atTill.data!.replaceCard.member.cards).toBeNull(); // the card history is the member's and the admin's
    const byAdmin = await replace(await hub.admin(), { memberId: member.id, reason: 'DAMAGED' });
    expect(byAdmin.data!.replaceCard.member.cards!.map((c) => c.status)).toEqual(['BLOCKED', 'BLOCKED', 'ACTIVE']);

    const lookupOnly = await hub.partnerToken(partner.id, 'members:lookup points:earn');
    expect((await replace(lookupOnly, { memberId: member.id, reason: 'LOST' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await replace(other.token, { memberId: member.id, reason: 'LOST' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await replace(member.token, { reason: 'FOUND' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await replace(await hub.admin(), { memberId: randomUUID(), reason: 'LOST' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Refusals wrote nothing: three cards, as after the two replacements.
    const { rows } = await hub.db.query('SELECT status FROM members.cards WHERE member_id = $1', [member.id]);
    expect(rows).toHaveLength(3);
  });

  it('a new member has their first card on record', async () => {
    const partner = await hub.seed.partner();
    const member = await hub.seed.member(partner.token);
    const me = await hub.must<{ me: { cards: Card[] } }>('{ me { cards { cardNumber status blockReason blockedAt } } }', {}, member.token);
    expect(me.me.cards).toEqual([{ cardNumber: member.cardNumber, status: 'ACTIVE', blockReason: null, blockedAt: null }]);
  });
});
