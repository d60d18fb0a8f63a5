import { notFound } from '../../../../lib/src';
import { type DonationsContext } from '../context';
import { toCharityType, type CharityType } from './charity.type';

/** A charity by id through the request's loader (one query per request for all of them); NOT_FOUND if gone. */
export async function charityOf(ctx: DonationsContext, id: string): Promise<CharityType> {
  const charity = await ctx.loaders.charity.load(id);
  if (!charity) throw notFound('Charity');
  return toCharityType(charity);
}
