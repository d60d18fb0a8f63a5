import { PartnersClient as SharedPartnersClient, requireActiveCallingPartner } from '../../../../lib/src/clients/partners.client';
import { forbidden } from '../../../../lib/src/errors';
import { type Viewer } from '../../../../lib/src/auth';
import { type OfferFacts } from '../domain/offer.rules';

/** The PostgreSQL channel the partners subgraph announces partner changes on (its migration 1740450000000). */
export const PARTNER_CHANGES_CHANNEL = 'hub_partner_changes';

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

/** An offer as the partners subgraph answers it (OFFER_FIELDS), before offerFacts reads it. */
export type OfferJson = {
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
export const OFFER_FIELDS = 'id kind points multiplier validFrom validTo minTier active usesPerMember title description segmentId partner { id }';
export const offerFacts = (o: OfferJson): OfferFacts => ({
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
  /** Calling partners' facts as last read, per partner, each good until `until` (ms since the epoch). */
  private readonly partners = new Map<string, { facts: PartnerFacts; until: number }>();
  /**
   * How long a calling partner's facts are kept (ms; 0: never), and only while change notices are heard
   * (`changeNotices`): a change to the partner (a suspension above all) or a new version of its terms or
   * category rates drops them at once; versions already set for later end them when they take effect.
   */
  partnerCacheMs = 60_000;
  /** The listener of the partners subgraph's change notices; without one listening, nothing is kept. */
  changeNotices: { readonly listening: boolean } | null = null;
  /** Counts notices and losses: a read that overlapped one is not kept (it may predate the change). */
  private changes = 0;

  /** A partner changed (a notice): what was kept of it, and of its stores, is dropped. */
  partnerChanged(partnerId: string): void {
    this.changes++;
    this.partners.delete(partnerId);
    for (const key of this.stores.keys()) if (key.startsWith(`${partnerId}:`)) this.stores.delete(key);
  }

  /** Notices may have been missed (listener lost): every partner's facts are dropped. */
  changeNoticesLost(): void {
    this.changes++;
    this.partners.clear();
  }

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
    const changesBefore = this.changes;
    const data = await this.subgraph.request<{ store: { id: string; active: boolean } | null }>(
      'query OwnStore($id: ID!) { store(id: $id) { id active } }',
      { id: storeId },
      viewer,
      requestId,
    );
    if (!data.store) return false;
    if (this.stores.size >= 10_000) this.stores.clear();
    // A store changed while reading (a notice) may have been read before the change: not kept.
    if (this.changes === changesBefore) this.stores.set(key, { active: data.store.active, readAt: now });
    return data.store.active;
  }

  /** The calling partner's facts if kept now (no call made); null when they would have to be asked for. */
  keptCallingPartner(viewer: Viewer): PartnerFacts | null {
    const kept = viewer.partnerId ? this.partners.get(viewer.partnerId) : undefined;
    return kept && Date.now() < kept.until && this.changeNotices?.listening ? kept.facts : null;
  }

  /**
   * The calling partner's status, currency and current terms (earn rate, issue price, reimbursement) and
   * category rates, as the partners subgraph answers the viewer. Kept per process (see `partnerCacheMs`):
   * the terms and rates are effective-dated and never edited, so what was read stays true until a version
   * set for later takes effect (the answer says when) or a change notice arrives; a suspension is such a
   * change. Only a partner token's own partner is kept, and only an onboarded one.
   */
  async callingPartner(viewer: Viewer, requestId: string): Promise<PartnerFacts> {
    const key = viewer.partnerId;
    const now = Date.now();
    if (key) {
      const kept = this.partners.get(key);
      if (kept && now < kept.until && this.changeNotices?.listening) return kept.facts;
    }
    const changesBefore = this.changes;
    const listeningBefore = this.changeNotices?.listening === true;
    const data = await this.subgraph.request<{
      viewerPartner: {
        id: string;
        status: 'ACTIVE' | 'SUSPENDED';
        currency: string;
        terms: { earnRate: string; issuePrice: { amount: string }; reimbursement: { amount: string }; validUntil: string | null } | null;
        categoryRates: { id: string; category: string; extraPercent: string }[] | null;
        categoryRatesValidUntil: string | null;
      } | null;
    }>(
      'query CallingPartner { viewerPartner { id status currency terms { earnRate issuePrice { amount } reimbursement { amount } validUntil } categoryRates { id category extraPercent } categoryRatesValidUntil } }',
      {},
      viewer,
      requestId,
    );
    const partner = data.viewerPartner;
    if (!partner || !partner.terms) throw forbidden('The token names a partner that is not onboarded');
    const facts: PartnerFacts = {
      id: partner.id,
      status: partner.status,
      currency: partner.currency,
      earnRate: partner.terms.earnRate,
      issuePrice: partner.terms.issuePrice.amount,
      reimbursement: partner.terms.reimbursement.amount,
      categoryRates: partner.categoryRates ?? [],
    };
    // Kept only when no notice or loss came while reading (the answer may predate that change) and
    // notices were heard throughout; never past the next version's start.
    if (key === partner.id && this.partnerCacheMs > 0 && listeningBefore && this.changeNotices?.listening && this.changes === changesBefore) {
      const until = Math.min(now + this.partnerCacheMs, instant(partner.terms.validUntil), instant(partner.categoryRatesValidUntil));
      if (this.partners.size >= 10_000) this.partners.clear();
      this.partners.set(key, { facts, until });
    }
    return facts;
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

/** An ISO 8601 time as ms since the epoch; null (no end) as infinity. */
function instant(at: string | null): number {
  return at === null ? Number.POSITIVE_INFINITY : Date.parse(at);
}
