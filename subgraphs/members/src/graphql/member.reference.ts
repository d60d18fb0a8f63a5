import { type MembersContext } from '../context';
import { toMemberType, type MemberType } from './member.type';

/** `_entities` for Member: the same visibility rules as `member(id)`; an invisible member is null. */
export const memberReference = {
  Member: {
    async __resolveReference(reference: { id: string }, ctx: MembersContext): Promise<MemberType | null> {
      if (!ctx.members.canSee(ctx.viewer, reference.id)) return null;
      const member = await ctx.loaders.member.load(reference.id);
      return member && toMemberType(member, ctx.viewer, ctx.members);
    },
  },
};
