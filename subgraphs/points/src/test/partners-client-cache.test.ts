import { describe, expect, it } from 'vitest';
import { type Viewer } from '../../../../lib/src/auth';
import { type SubgraphClient } from '../../../../lib/src/subgraph-client';
import { PartnersClient } from '../clients/partners.client';

/**
 * What the earn keeps of the calling partner, and when it must ask again. The partners subgraph is a
 * scripted answer here (no database involved): what is under test is when the client asks it.
 */
const PARTNER = '6f1c1a55-7c1e-4a51-9d0e-3c3f7e0b1a01';
const viewer: Viewer = { subject: 'till-1', scopes: new Set(['points:earn']), partnerId: PARTNER, token: 't' };

function partnersSubgraph(answer: { status?: string; validUntil?: string | null; ratesUntil?: string | null } = {}) {
  const calls: string[] = [];
  let during: (() => void) | null = null;
  const client: SubgraphClient = {
    async request<T>(query: string): Promise<T> {
      calls.push(query);
      during?.();
      return {
        viewerPartner: {
          id: PARTNER,
          status: answer.status ?? 'ACTIVE',
          currency: 'NOK',
          terms: { earnRate: '1', issuePrice: { amount: '0.01' }, reimbursement: { amount: '0.008' }, validUntil: answer.validUntil ?? null },
          categoryRates: [],
          categoryRatesValidUntil: answer.ratesUntil ?? null,
        },
      } as T;
    },
  };
  return { client, calls, whileAnswering: (f: () => void) => (during = f) };
}

const listening = { listening: true };

describe('the calling partner kept per process', () => {
  it('asks once while change notices are heard, and again after a notice for that partner', async () => {
    const sub = partnersSubgraph();
    const partners = new PartnersClient(sub.client);
    partners.changeNotices = listening;
    await partners.callingPartner(viewer, 'r');
    await partners.callingPartner(viewer, 'r');
    expect(sub.calls).toHaveLength(1);
    partners.partnerChanged('another-partner');
    await partners.callingPartner(viewer, 'r');
    expect(sub.calls).toHaveLength(1);
    partners.partnerChanged(PARTNER);
    await partners.callingPartner(viewer, 'r');
    expect(sub.calls).toHaveLength(2);
  });

  it('keeps nothing while notices are not heard (listener not connected, or lost)', async () => {
    const sub = partnersSubgraph();
    const partners = new PartnersClient(sub.client);
    partners.changeNotices = { listening: false };
    await partners.callingPartner(viewer, 'r');
    await partners.callingPartner(viewer, 'r');
    expect(sub.calls).toHaveLength(2);

    const live = { listening: true };
    partners.changeNotices = live;
    await partners.callingPartner(viewer, 'r');
    await partners.callingPartner(viewer, 'r');
    expect(sub.calls).toHaveLength(3);
    // Lost: what was kept may miss a change from now on, even once listening again.
    partners.changeNoticesLost();
    await partners.callingPartner(viewer, 'r');
    expect(sub.calls).toHaveLength(4);
    live.listening = false;
    await partners.callingPartner(viewer, 'r');
    expect(sub.calls).toHaveLength(5);
  });

  it('does not keep an answer read while a notice came (it may predate the change)', async () => {
    const sub = partnersSubgraph();
    const partners = new PartnersClient(sub.client);
    partners.changeNotices = listening;
    sub.whileAnswering(() => partners.partnerChanged(PARTNER));
    await partners.callingPartner(viewer, 'r');
    sub.whileAnswering(() => undefined);
    await partners.callingPartner(viewer, 'r');
    await partners.callingPartner(viewer, 'r');
    expect(sub.calls).toHaveLength(2);
  });

  it('keeps terms no longer than the next version starts, nor longer than partnerCacheMs', async () => {
    for (const which of ['validUntil', 'ratesUntil', 'neither'] as const) {
      const answer = which === 'neither' ? {} : { [which]: new Date(Date.now() + 150).toISOString() };
      const sub = partnersSubgraph(answer);
      const partners = new PartnersClient(sub.client);
      partners.changeNotices = listening;
      if (which === 'neither') partners.partnerCacheMs = 150;
      await partners.callingPartner(viewer, 'r');
      await partners.callingPartner(viewer, 'r');
      expect(sub.calls).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await partners.callingPartner(viewer, 'r');
      expect(sub.calls, which).toHaveLength(2);
    }
  });

  it('keeps nothing with partnerCacheMs 0, and only for a partner token of that partner', async () => {
    const sub = partnersSubgraph();
    const partners = new PartnersClient(sub.client);
    partners.changeNotices = listening;
    partners.partnerCacheMs = 0;
    await partners.callingPartner(viewer, 'r');
    await partners.callingPartner(viewer, 'r');
    expect(sub.calls).toHaveLength(2);
    partners.partnerCacheMs = 60_000;
    const admin: Viewer = { subject: 'admin', scopes: new Set(['admin']), token: 't' };
    expect(partners.keptCallingPartner(admin)).toBeNull();
    await partners.callingPartner({ ...viewer, partnerId: 'someone-else' }, 'r');
    expect(partners.keptCallingPartner({ ...viewer, partnerId: 'someone-else' })).toBeNull();
    expect(partners.keptCallingPartner(viewer)).toBeNull();
  });
});
