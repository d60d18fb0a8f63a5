import { type PartnersContext } from '../context';
import { toPartnerType, type PartnerType } from './partner.type';

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
};
