import { PartnersClient as SharedPartnersClient, requireActiveCallingPartner } from '../../../../lib/src/clients/partners.client';
import { forbidden } from '../../../../lib/src/errors';
import { type Viewer } from '../../../../lib/src/auth';
import { type OfferFacts } from '../domain/offer.rules';

export interface PartnerFacts {
  id: string;
  status: 'ACTIVE' | 'SUSPENDED';
  currency: string;
  earnRate: string;
  /** Price per point in the partner's currency (decimal strings), in force now: snapshotted on postings. */
  issuePrice: string;
  reimbursement: string;
  /** Extra earn per category in force now (lower-case category, percent as a decimal string). */
  categoryRates: { id: string; category: string; extraPercent: string }[];
}

type OfferJson = {
  id: string;
  kind: OfferFacts['kind'];
  points: number | null;
  multiplier: string | null;
  validFrom: string;
  validTo: string | null;
  minTier: string | null;
  active: boolean;
  usesPerMember: number;
  title: string;
  description: string | null;
  segmentId: string | null;
  partner: { id: string };
};
const OFFER_FIELDS = 'id kind points multiplier validFrom validTo minTier active usesPerMember title description segmentId partner { id }';
const offerFacts = (o: OfferJson): OfferFacts => ({
  id: o.id,
  kind: o.kind,
  points: o.points,
  multiplier: o.multiplier,
  validFrom: new Date(o.validFrom),
  validTo: o.validTo ? new Date(o.validTo) : null,
  minTier: o.minTier,
  active: o.active,
  usesPerMember: o.usesPerMember,
  title: o.title,
  description: o.description,
  segmentId: o.segmentId,
  partnerId: o.partner.id,
});

/** A partner as any authenticated caller sees it; its prices only for the partner itself and the admin. */
export interface PartnerFace {
  id: string;
  currency: string;
  issuePrice: string | null;
  reimbursement: string | null;
}

/**
 * The partners subgraph as the ledger calls it: the calling partner's status, currency and terms, and
 * a partner's public face, read as the calling viewer so the partners subgraph's own access rules
 * apply. Whether the partner is active is the hub's one rule (shared partners client).
 */
export class PartnersClient extends SharedPartnersClient {
  /** Stores seen, per (partner, store), with when they were read: stores change rarely, earns are hot. */
  private readonly stores = new Map<string, { active: boolean; readAt: number }>();
  /** How long a store read stays good (ms): a store closed is still accepted for at most this long. */
  storeCacheMs = 60_000;

  /**
   * Whether `storeId` is the calling partner's own store and active, read through the partners subgraph
   * as the viewer (it shows a store to its partner only) and kept per process for `storeCacheMs`.
   * Only stores found are kept: a store created a moment ago is found at once.
   */
  async ownActiveStore(viewer: Viewer, partnerId: string, storeId: string, requestId: string): Promise<boolean> {
    const key = `${partnerId}:${storeId}`;
    const now = Date.now();
    const seen = this.stores.get(key);
    if (seen && now - seen.readAt < this.storeCacheMs) return seen.active;
    const data = await this.subgraph.request<{ store: { id: string; active: boolean } | null }>(
      'query OwnStore($id: ID!) { store(id: $id) { id active } }',
      { id: storeId },
      viewer,
      requestId,
    );
    if (!data.store) return false;
    if (this.stores.size >= 10_000) this.stores.clear();
    this.stores.set(key, { active: data.store.active, readAt: now });
    return data.store.active;
  }

  /** The calling partner's status, currency and current terms (earn rate, issue price, reimbursement). */
  async callingPartner(viewer: Viewer, requestId: string): Promise<PartnerFacts> {
    const data = await this.subgraph.request<{
      viewerPartner: {
        id: string;
        status: 'ACTIVE' | 'SUSPENDED';
        currency: string;
        terms: { earnRate: string; issuePrice: { amount: string }; reimbursement: { amount: string } } | null;
        categoryRates: { id: string; category: string; extraPercent: string }[] | null;
      } | null;
    }>(
      'query CallingPartner { viewerPartner { id status currency terms { earnRate issuePrice { amount } reimbursement { amount } } categoryRates { id category extraPercent } } }',
      {},
      viewer,
      requestId,
    );
    const partner = data.viewerPartner;
    if (!partner || !partner.terms) throw forbidden('The token names a partner that is not onboarded');
    return {
      id: partner.id,
      status: partner.status,
      currency: partner.currency,
      earnRate: partner.terms.earnRate,
      issuePrice: partner.terms.issuePrice.amount,
      reimbursement: partner.terms.reimbursement.amount,
      categoryRates: partner.categoryRates ?? [],
    };
  }

  /** An offer as the viewer may see it (a member sees published offers only); null otherwise. */
  async offer(viewer: Viewer, offerId: string, requestId: string): Promise<OfferFacts | null> {
    const data = await this.subgraph.request<{ offer: OfferJson | null }>(`query OfferToActivate($id: ID!) { offer(id: $id) { ${OFFER_FIELDS} } }`, { id: offerId }, viewer, requestId);
    return data.offer ? offerFacts(data.offer) : null;
  }

  /** The published offers of active partners (as any member sees the catalogue), oldest first, at most `max`. */
  async publishedOffers(viewer: Viewer, requestId: string, max = 1_000): Promise<OfferFacts[]> {
    const offers: OfferFacts[] = [];
    let after: string | null = null;
    do {
      const data: { offers: { nodes: OfferJson[]; endCursor: string | null } } = await this.subgraph.request(
        `query PublishedOffers($after: String) { offers(first: 100, after: $after) { nodes { ${OFFER_FIELDS} } endCursor } }`,
        { after },
        viewer,
        requestId,
      );
      offers.push(...data.offers.nodes.map(offerFacts));
      after = data.offers.endCursor;
    } while (after && offers.length < max);
    return offers.slice(0, max);
  }

  /** A partner by id as the viewer may see it (null when it does not exist). */
  async partner(viewer: Viewer, partnerId: string, requestId: string): Promise<PartnerFace | null> {
    const data = await this.subgraph.request<{
      partner: { id: string; currency: string; terms: { issuePrice: { amount: string }; reimbursement: { amount: string } } | null } | null;
    }>(
      'query PartnerFace($id: ID!) { partner(id: $id) { id currency terms { issuePrice { amount } reimbursement { amount } } } }',
      { id: partnerId },
      viewer,
      requestId,
    );
    const p = data.partner;
    return p ? { id: p.id, currency: p.currency, issuePrice: p.terms?.issuePrice.amount ?? null, reimbursement: p.terms?.reimbursement.amount ?? null } : null;
  }

  /**
   * The calling partner with its terms, refusing a suspended one (PARTNER_SUSPENDED) and a token for
   * another (FORBIDDEN): one call to the partners subgraph answers both the rule and the facts.
   */
  override async requireActiveCallingPartner(viewer: Viewer, requestId: string): Promise<PartnerFacts> {
    return requireActiveCallingPartner(viewer, await this.callingPartner(viewer, requestId));
  }
}
