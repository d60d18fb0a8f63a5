import { Arg, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import { type PointsContext } from '../context';
import { DonationPostingOutcome, DonationPostingType, PostDonationInput } from './donation-posting.type';

@Resolver()
export class DonationPostingResolver {
  @Directive('@inaccessible')
  @Mutation(() => DonationPostingType, {
    description: 'Internal: posts a donation (member → charity) once per donation id. Only the donations service credential (scope ledger:donate); not in the public supergraph.',
  })
  async postDonation(@Arg('input', () => PostDonationInput) input: PostDonationInput, @Ctx() ctx: PointsContext): Promise<DonationPostingType> {
    const posting = await ctx.donationPostings.post(ctx.viewer, input);
    return Object.assign(new DonationPostingType(), {
      donationId: posting.donationId,
      outcome: posting.outcome as DonationPostingOutcome,
      transactionId: posting.transactionId,
    });
  }
}
