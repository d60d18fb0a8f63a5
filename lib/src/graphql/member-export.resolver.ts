import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Directive, ID, Query, Resolver } from 'type-graphql';
import { Authenticated } from '../access';
import { type Viewer } from '../auth';
import { type MemberDataExport } from '../member-data';

/**
 * `<service>MemberExport(memberId)`: one subgraph's section of a member's data export, as a JSON object of
 * `{ <table>: rows }`. Each subgraph answers for its own tables; the gateway's
 * `GET /members/{memberId}/export.json` asks all of them at once. The member themself or the admin;
 * anyone else gets NOT_FOUND, as for a missing member.
 */
export function createMemberExportResolver(service: 'members' | 'points' | 'partners' | 'donations') {
  @Resolver()
  class MemberExportResolver {
    @Directive(Authenticated)
    @Query(() => GraphQLJSONObject, {
      name: `${service}MemberExport`,
      description: `Everything the ${service} subgraph holds about a member, one array of rows per table (its audit entries about the member included), for the member's data export. The member themself or the admin; anyone else gets NOT_FOUND, as for a missing member.`,
    })
    async memberExport(@Arg('memberId', () => ID) memberId: string, @Ctx() ctx: { viewer: Viewer; memberExport: MemberDataExport }): Promise<Record<string, unknown>> {
      return ctx.memberExport.read(ctx.viewer, memberId);
    }
  }
  return MemberExportResolver;
}
