import { Arg, Ctx, Directive, Field, ID, InputType, Int, Mutation, Resolver } from 'type-graphql';
import { type DonationsContext } from '../context';
import { DonationType, toDonationType } from './donation.type';

@InputType('DonateClosingBalanceInput')
export class DonateClosingBalanceInput {
  @Field(() => ID, { description: "The members subgraph's closing id: also the donation's id, so the step happens once." })
  closingId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => ID)
  charityId!: string;

  @Field(() => Int)
  points!: number;
}

@Resolver()
export class ClosingDonationResolver {
  @Directive('@inaccessible')
  @Mutation(() => DonationType, {
    description: "Internal: donates a closed membership's remaining points, once per closing id. Only the members service credential (scope donations:closing); not in the public supergraph.",
  })
  async donateClosingBalance(@Arg('input', () => DonateClosingBalanceInput) input: DonateClosingBalanceInput, @Ctx() ctx: DonationsContext): Promise<DonationType> {
    return toDonationType(await ctx.donations.donateClosingBalance(ctx.viewer, input, ctx.requestId));
  }
}
