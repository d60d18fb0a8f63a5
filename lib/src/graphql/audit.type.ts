import { Arg, Ctx, Directive, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { type AuditLog, type AuditRecord } from '../audit';
import { anyScope } from '../access';
import { type Viewer } from '../auth';

@Directive('@shareable')
@ObjectType('AuditEntry', {
  description:
    'One mutation call as its subgraph recorded it: who (token subject and the partner, member or charity it acts for), what (operation and target), the idempotency key and the outcome.',
})
export class AuditEntryType {
  @Field(() => ID, { description: 'Increasing within one subgraph; the cursor for `after`.' })
  id!: string;

  @Field(() => String, { description: 'The subgraph that recorded the entry: members, points, partners or donations.' })
  service!: string;

  @Field(() => String, { description: 'ISO 8601, UTC.' })
  occurredAt!: string;

  @Field(() => String, { description: 'The request id, as in the logs and in INTERNAL errors.' })
  requestId!: string;

  @Field(() => String, { description: 'The mutation, for example earnPoints.' })
  operation!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The object created or changed; for a refusal, the first id the input named. Null when there is none.',
  })
  targetId!: string | null;

  @Field(() => String, { description: "The token's sub." })
  subject!: string;

  @Field(() => ID, { nullable: true, description: "The token's partner_id." })
  partnerId!: string | null;

  @Field(() => ID, { nullable: true, description: "The token's member_id." })
  memberId!: string | null;

  @Field(() => ID, { nullable: true, description: "The token's charity_id." })
  charityId!: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey!: string | null;

  @Field(() => String, { description: 'OK, or the error code the caller received (FORBIDDEN, PARTNER_SUSPENDED, ...).' })
  outcome!: string;
}

@Directive('@shareable')
@ObjectType('AuditEntryPage')
export class AuditEntryPageType {
  @Field(() => [AuditEntryType])
  nodes!: AuditEntryType[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next (older) page; null on the last page.' })
  endCursor!: string | null;
}

export function toAuditEntryType(r: AuditRecord): AuditEntryType {
  return Object.assign(new AuditEntryType(), { ...r, occurredAt: r.occurredAt.toISOString() });
}

/**
 * The read side of one subgraph's audit log as a root field named `<subgraph>AuditLog`. One root field
 * per subgraph because a root field has one owner and each subgraph is the system of record of its own
 * mutations; `AuditEntry` is one shareable type, identical in all of them.
 */
export function createAuditLogResolver(service: 'members' | 'points' | 'partners' | 'donations') {
  @Resolver()
  class AuditLogResolver {
    @Directive(anyScope('admin', 'reports:read'))
    @Query(() => AuditEntryPageType, {
      name: `${service}AuditLog`,
      description: `Mutations the ${service} subgraph executed, newest first. Admin: all (partnerId filters to one partner's actions); a partner token with reports:read: only the calls it made itself. Refusals are recorded too.`,
    })
    async auditLog(
      @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Arg('operation', () => String, { nullable: true, description: 'Only this mutation, for example earnPoints.' }) operation: string | null,
      @Arg('partnerId', () => ID, { nullable: true, description: "Only this partner's actions." }) partnerId: string | null,
      @Ctx() ctx: { viewer: Viewer; audit?: AuditLog },
    ): Promise<AuditEntryPageType> {
      if (!ctx.audit) throw new Error('audit log not wired');
      const page = await ctx.audit.page(ctx.viewer, { first, after, operation, partnerId });
      return { nodes: page.rows.map(toAuditEntryType), endCursor: page.endCursor };
    }
  }
  return AuditLogResolver;
}
