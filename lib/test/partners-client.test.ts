import { describe, expect, it } from 'vitest';
import { type Viewer } from '../src/auth';
import { PartnersClient, requireActiveCallingPartner, requireActiveStatus, type PartnerStanding } from '../src/clients/partners.client';
import { type AppError } from '../src/errors';
import { type SubgraphClient } from '../src/subgraph-client';

const PARTNER = '7f0c8a34-1b8e-4a53-9a47-3f3a5b0c1d2e';
const viewer: Viewer = { subject: 'p', scopes: new Set(['points:earn']), partnerId: PARTNER, token: 't' };

/** The code a call throws, or 'OK'. */
async function codeOf(call: () => unknown): Promise<string> {
  try {
    await call();
    return 'OK';
  } catch (error) {
    return (error as AppError).extensions.code as string;
  }
}

/** A partners subgraph that answers every query with `data`, recording what it was asked. */
function answering(data: Record<string, PartnerStanding | null>): { client: SubgraphClient; asked: { query: string; variables: Record<string, unknown> }[] } {
  const asked: { query: string; variables: Record<string, unknown> }[] = [];
  return {
    asked,
    client: {
      request: <T>(query: string, variables: Record<string, unknown>) => {
        asked.push({ query, variables });
        return Promise.resolve(data as T);
      },
    },
  };
}

describe('the partner-is-active rule (shared partners client)', () => {
  it('lets an active partner through and answers PARTNER_SUSPENDED for a suspended one', async () => {
    expect(await codeOf(() => requireActiveStatus({ id: PARTNER, status: 'ACTIVE' }))).toBe('OK');
    expect(await codeOf(() => requireActiveStatus({ id: PARTNER, status: 'SUSPENDED' }))).toBe('PARTNER_SUSPENDED');
  });

  it('refuses a calling partner that is not onboarded or not the token’s (FORBIDDEN) before its status', async () => {
    expect(await codeOf(() => requireActiveCallingPartner(viewer, null))).toBe('FORBIDDEN');
    expect(await codeOf(() => requireActiveCallingPartner(viewer, { id: '11111111-1111-4111-8111-111111111111', status: 'SUSPENDED' }))).toBe('FORBIDDEN');
    expect(await codeOf(() => requireActiveCallingPartner(viewer, { id: PARTNER, status: 'SUSPENDED' }))).toBe('PARTNER_SUSPENDED');
    expect(await codeOf(() => requireActiveCallingPartner(viewer, { id: PARTNER, status: 'ACTIVE' }))).toBe('OK');
  });

  it('asks the partners subgraph as the caller: viewerPartner for the calling partner, partner(id) by id (NOT_FOUND when missing)', async () => {
    const suspended = answering({ viewerPartner: { id: PARTNER, status: 'SUSPENDED' }, partner: { id: PARTNER, status: 'SUSPENDED' } });
    expect(await codeOf(() => new PartnersClient(suspended.client).requireActiveCallingPartner(viewer, 'r1'))).toBe('PARTNER_SUSPENDED');
    expect(await codeOf(() => new PartnersClient(suspended.client).requireActivePartner(viewer, PARTNER, 'r2'))).toBe('PARTNER_SUSPENDED');
    expect(suspended.asked.map((a) => a.query)).toEqual([
      'query CallingPartnerStatus { viewerPartner { id status } }',
      'query PartnerStatus($id: ID!) { partner(id: $id) { id status } }',
    ]);
    expect(suspended.asked[1].variables).toEqual({ id: PARTNER });

    const missing = answering({ viewerPartner: null, partner: null });
    expect(await codeOf(() => new PartnersClient(missing.client).requireActiveCallingPartner(viewer, 'r3'))).toBe('FORBIDDEN');
    expect(await codeOf(() => new PartnersClient(missing.client).requireActivePartner(viewer, PARTNER, 'r4'))).toBe('NOT_FOUND');

    const active = answering({ viewerPartner: { id: PARTNER, status: 'ACTIVE' }, partner: { id: PARTNER, status: 'ACTIVE' } });
    expect(await new PartnersClient(active.client).requireActiveCallingPartner(viewer, 'r5')).toEqual({ id: PARTNER, status: 'ACTIVE' });
    expect(await new PartnersClient(active.client).requireActivePartner(viewer, PARTNER, 'r6')).toEqual({ id: PARTNER, status: 'ACTIVE' });
  });
});
