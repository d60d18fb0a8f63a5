import { Arg, Ctx, Directive, Mutation, Resolver } from 'type-graphql';
import { anyScope } from '../../../../lib/src';
import { type PointsContext } from '../context';
import { toTransactionType } from './points.type';
import { GrantPointsInput, GrantPointsPayload, ImportGrantsInput, ImportGrantsPayload, toGrantImportType, toRowErrors } from './grant.type';

/** Goodwill and campaign grants (GrantService). Thin: one service call each. */
@Resolver()
export class GrantResolver {
  @Directive(anyScope('admin', 'points:grant'))
  @Mutation(() => GrantPointsPayload, {
    description:
      "Gives a member points without a purchase (award GOODWILL). Admin: paid by the coalition's marketing budget, or billed to fundedByPartnerId at its issue price. A partner with points:grant: paid by itself. Idempotent, audited.",
  })
  async grantPoints(@Arg('input', () => GrantPointsInput) input: GrantPointsInput, @Ctx() ctx: PointsContext): Promise<GrantPointsPayload> {
    return { transaction: toTransactionType(await ctx.grants.grant(ctx.viewer, input, ctx.requestId)) };
  }

  @Directive(anyScope('admin', 'points:grant'))
  @Mutation(() => ImportGrantsPayload, {
    description:
      'Grants a bulk file at once, all or nothing (the gateway\'s POST /imports/grants.csv calls it): every row is checked first, problems come back by line and nothing is written. Who pays as in grantPoints. Idempotent per key and file.',
  })
  async importGrants(@Arg('input', () => ImportGrantsInput) input: ImportGrantsInput, @Ctx() ctx: PointsContext): Promise<ImportGrantsPayload> {
    const outcome = await ctx.grants.importGrants(ctx.viewer, input, ctx.requestId);
    return { grantImport: outcome.grantImport && toGrantImportType(outcome.grantImport), errors: toRowErrors(outcome.errors), replayed: outcome.replayed };
  }
}
