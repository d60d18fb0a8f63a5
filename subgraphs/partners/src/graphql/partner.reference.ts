import { type PartnersContext } from '../context';
import { toPartnerType, type PartnerType } from './partner.type';
import { toStoreType, type StoreType } from './catalogue.type';

/**
 * `_entities` for Partner. The public face (id, name, status, currency) is visible to any authenticated
 * caller, so the reference always resolves; the private fields (terms, termsAt, termsHistory, stores)
 * resolve to null unless the caller is that partner or the admin, exactly as through `partner(id)`.
 * Only `id` is read from the representation: nothing else a caller sends is trusted.
 */
export const partnerReference = {
  Partner: {
    async __resolveReference(reference: { id: string }, ctx: PartnersContext): Promise<PartnerType | null> {
      const partner = await ctx.loaders.partner.load(reference.id);
      return partner && toPartnerType(partner);
    },
  },
  /** A store as its partner and the admin see it; null for anyone else, as through `store(id)`. */
  Store: {
    async __resolveReference(reference: { id: string }, ctx: PartnersContext): Promise<StoreType | null> {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(reference.id)) return null;
      const store = await ctx.stores.byId(ctx.viewer, reference.id);
      return store && toStoreType(store);
    },
  },
};
