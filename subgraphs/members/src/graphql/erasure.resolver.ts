import { Arg, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type MembersContext } from '../context';
import { EraseMemberInput, EraseMemberPayload } from './erasure.type';
import { toMemberType } from './member.type';

@Resolver()
export class ErasureResolver {
  @Directive(anyScope('admin'))
  @Mutation(() => EraseMemberPayload, {
    description:
      "Erases a member's personal data in every subgraph (the admin, acting on a verified request): name and email replaced by a pseudonym, birth date, phone, card numbers and identity links gone, token subjects in the audit logs replaced; the remaining points are forfeited to breakage; amounts, ledger, settlement and receipt chains are kept and still verify. Once per member: a second request answers the first erasure. Scope: admin.",
  })
  async eraseMember(@Arg('input', () => EraseMemberInput) input: EraseMemberInput, @Ctx() ctx: MembersContext): Promise<EraseMemberPayload> {
    const { member, erasure } = await ctx.erasures.erase(ctx.viewer, input, ctx.requestId);
    return {
      member: toMemberType(member, ctx.viewer, ctx.members),
      erasure: { id: erasure.id, completed: erasure.completedAt !== null, remaining: erasure.remaining },
    };
  }
}
