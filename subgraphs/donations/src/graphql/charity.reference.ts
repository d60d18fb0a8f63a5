import { type DonationsContext } from '../context';
import { toCharityType, type CharityType } from './charity.type';
import { DonorType } from './donation.type';

export const donationsReferences = {
  /** Charities are public to any authenticated caller. */
  Charity: {
    async __resolveReference(reference: { id: string }, ctx: DonationsContext): Promise<CharityType | null> {
      const charity = await ctx.loaders.charity.load(reference.id);
      return charity && toCharityType(charity);
    },
  },
  /** Access to a member's giving is checked on the `donations` field itself. */
  Member: {
    __resolveReference(reference: { id: string }): DonorType {
      return Object.assign(new DonorType(), { id: reference.id });
    },
  },
};
