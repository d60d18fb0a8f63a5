import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, startHub, type TestHub } from '../support/hub';

let hub: TestHub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => hub?.stop());

describe('the hub through the gateway', () => {
  it('answers a member with data joined from members, points and donations', async () => {
    const partner = await hub.seed.partner({ currency: 'NOK', earnRate: '1' });
    const member = await hub.seed.member(partner.token, { displayName: 'Astrid Lund' });
    await hub.seed.earn(partner.token, member.id, '249.90', 'NOK');
    await hub.seed.earn(partner.token, member.id, '100.00', 'NOK');

    const result = await hub.query<{ me: { displayName: string; cardNumber: string; points: { balance: number; available: number; pending: number }; donations: unknown[] } }>(
      '{ me { displayName cardNumber points { balance available pending } donations { id } } }',
      {},
      member.token,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.me).toEqual({
      displayName: 'Astrid Lund',
      cardNumber: member.cardNumber,
      points: { balance: 349, available: 349, pending: 0 },
      donations: [],
    });
  });

  it('lets a partner enroll, look up by card and earn, with the earn rate rounding down', async () => {
    const partner = await hub.seed.partner({ currency: 'SEK', earnRate: '0.5' });
    const member = await hub.seed.member(partner.token);
    const spaced = member.cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
    const found = await hub.must<{ memberByCard: { id: string; email: string | null; points: { available: number } } }>(
      'query($c: String!) { memberByCard(cardNumber: $c) { id email points { available } } }',
      { c: spaced },
      partner.token,
    );
    expect(found.memberByCard.id).toBe(member.id);
    expect(found.memberByCard.email).toMatch(/@example\.com$/);

    const earned = await hub.seed.earn(partner.token, member.id, '99.99', 'SEK');
    expect(earned.points).toBe(49); // 99.99 x 0.5 = 49.995, rounded down

    const other = await hub.seed.partner({ currency: 'SEK' });
    const seenByOther = await hub.must<{ member: { id: string; email: string | null; birthDate: string | null } }>(
      'query($id: ID!) { member(id: $id) { id email birthDate } }',
      { id: member.id },
      other.token,
    );
    expect(seenByOther.member).toEqual({ id: member.id, email: null, birthDate: null });
  });

  it('shows partners their own terms only and blocks a suspended partner from earning', async () => {
    const partner = await hub.seed.partner({ currency: 'DKK', earnRate: '2' });
    const member = await hub.seed.member(partner.token);
    const other = await hub.seed.partner({ currency: 'EUR' });

    const own = await hub.must<{ viewerPartner: { id: string; terms: { earnRate: string } } }>('{ viewerPartner { id terms { earnRate } } }', {}, partner.token);
    expect(own.viewerPartner).toEqual({ id: partner.id, terms: { earnRate: '2' } });
    const foreign = await hub.must<{ partner: { name: string; terms: unknown } }>('query($id: ID!) { partner(id: $id) { name terms { earnRate } } }', { id: partner.id }, other.token);
    expect(foreign.partner.terms).toBeNull();

    await hub.must('mutation($id: ID!) { suspendPartner(input: { partnerId: $id }) { partner { status } } }', { id: partner.id }, await hub.admin());
    const before = await count(hub.db, 'points.transactions', 'partner_id = $1', [partner.id]);
    const refused = await hub.query(
      'mutation($input: EarnPointsInput!) { earnPoints(input: $input) { transaction { id } } }',
      { input: { memberId: member.id, purchase: { amount: '10.00', currency: 'DKK' }, reference: 'R1', idempotencyKey: randomUUID() } },
      partner.token,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('PARTNER_SUSPENDED');
    expect(await count(hub.db, 'points.transactions', 'partner_id = $1', [partner.id])).toBe(before);
  });

  it('reports readiness of every subgraph', async () => {
    const ready = await fetch(new URL('/readyz', hub.gatewayUrl));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', subgraphs: { members: true, points: true, partners: true, donations: true } });
    expect((await fetch(new URL('/healthz', hub.gatewayUrl))).status).toBe(200);
  });
});
