import { type PartnersContext } from '../context';
import { toPartnerType, type PartnerType } from './partner.type';

/** `_entities` for Partner: the public face is visible to any authenticated caller. */
export const partnerReference = {
  Partner: {
    async __resolveReference(reference: { id: string }, ctx: PartnersContext): Promise<PartnerType | null> {
      const partner = await ctx.loaders.partner.load(reference.id);
      return partner && toPartnerType(partner);
    },
  },
};
