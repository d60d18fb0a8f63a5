import { Arg, Ctx, Directive, ID, Query, Resolver } from 'type-graphql';
import { badInput } from '../../../../lib/src';
import { requireService } from '../../../../lib/src/service-token';
import { type MembersContext } from '../context';

/** Internal: which members let their partners hear about them (member notices to partners' webhooks). */
@Resolver()
export class SharingConsentResolver {
  @Directive('@inaccessible')
  @Query(() => [ID], {
    description: "Internal: of these members (at most 500), those who consent to partner data sharing. Only the points service credential (scope members:consents).",
  })
  async membersSharingWithPartners(@Arg('memberIds', () => [ID]) memberIds: string[], @Ctx() ctx: MembersContext): Promise<string[]> {
    requireService(ctx.viewer, 'points', 'members:consents');
    if (memberIds.length > 500) throw badInput('memberIds', 'at most 500');
    const ids = memberIds.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
    return ids.length === 0 ? [] : ctx.sharingConsents(ids);
  }
}
