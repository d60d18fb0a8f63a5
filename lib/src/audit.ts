import { type GraphQLResolveInfo } from 'graphql';
import { type DataSource, type EntityManager } from 'typeorm';
import { badInput, forbidden, isAppError } from './errors';
import { isAdmin, type Viewer } from './auth';
import { auditRows, insertAuditRow, type AuditRow } from './persistence/audit.repository';
import { MAX_PAGE_SIZE } from './persistence/db';
import { type Logger } from './logger';
import { isUuid, uuid } from './validation';

/**
 * The audit log: one row per mutation call, who made it, what it did, its idempotency key and its
 * outcome. Each subgraph keeps its own rows in its own schema (no subgraph touches another's tables);
 * the table is append-only, enforced by triggers as the ledger is.
 *
 * - Every root Mutation field is wrapped once, in `buildFederatedSchema` (no per-resolver code).
 * - A success is recorded atomically when the service calls `recordAudit(manager, viewer, targetId)` inside
 *   the transaction of its effect: the row commits with the effect or not at all. Mutations whose
 *   service does not (or an idempotent replay, whose effect does not run again) are recorded right
 *   after they return, in a separate statement.
 * - A refusal (any error) is recorded best-effort in a separate short statement: the effect's
 *   transaction has rolled back, and a failing audit write is logged, never turned into a second error.
 * - Requests refused before any resolver runs (no valid token, a malformed document) are not here: the
 *   subgraph never executed them.
 */

/** DDL for the table each subgraph keeps in its own schema (used by the subgraphs' audit migrations). */
export const AUDIT_TABLE_DDL = `
  CREATE TABLE audit_log (
    id              bigserial   PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    request_id      text        NOT NULL CHECK (length(request_id) BETWEEN 1 AND 100),
    operation       text        NOT NULL CHECK (length(operation) BETWEEN 1 AND 100),
    target_id       uuid,
    subject         text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    partner_id      uuid,
    member_id       uuid,
    charity_id      uuid,
    idempotency_key text        CHECK (length(idempotency_key) <= 255),
    outcome         text        NOT NULL CHECK (outcome ~ '^[A-Z][A-Z_]{1,39}$')
  );
  CREATE INDEX audit_log_partner_idx ON audit_log (partner_id, id) WHERE partner_id IS NOT NULL;
  CREATE INDEX audit_log_operation_idx ON audit_log (operation, id);

  CREATE FUNCTION audit_log_forbid_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
  BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END $$;
  CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_forbid_change();
  CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_forbid_change();`;

export const AUDIT_TABLE_DROP = 'DROP TABLE audit_log; DROP FUNCTION audit_log_forbid_change();';

/** One mutation call as recorded. `outcome` is `OK` or the error code the caller received. */
export type AuditEntry = AuditRow;

export interface AuditRecord extends AuditEntry {
  id: string;
  service: string;
  occurredAt: Date;
}

interface AuditScope {
  entry: Omit<AuditEntry, 'targetId' | 'outcome'>;
  recorded: boolean;
}

/**
 * The running mutation's scope, keyed on the request's viewer (each request verifies into its own viewer
 * object). Root mutation fields run one after another (GraphQL's serial execution), so a viewer has at
 * most one scope at a time. Not AsyncLocalStorage: on Node 20 it turns on promise hooks for the whole
 * process, which cost every request 5 to 10% of its throughput in the benchmark.
 */
const scopes = new WeakMap<Viewer, AuditScope>();

function insert(manager: EntityManager, entry: AuditEntry): Promise<void> {
  return insertAuditRow(manager, entry);
}

/**
 * Records the running mutation's success inside the caller's transaction `manager`, so the audit row
 * commits with the effect or not at all. `targetId` is the object created or changed. Outside a
 * GraphQL mutation (seeding, the ledger sweeper) it does nothing.
 */
export async function recordAudit(manager: EntityManager, viewer: Viewer, targetId: string | null): Promise<void> {
  const scope = scopes.get(viewer);
  if (!scope) return;
  await insert(manager, { ...scope.entry, targetId: targetId && isUuid(targetId) ? targetId.toLowerCase() : null, outcome: 'OK' });
  scope.recorded = true;
}

/**
 * The row `recordAudit` would write, for a hot write that inserts it within its own statement (one
 * round trip fewer): the running mutation's success with `targetId`, its scope marked recorded. Call it
 * only for a statement in the transaction of the effect. Null outside a GraphQL mutation (nothing to write).
 */
export function takeAuditRow(viewer: Viewer, targetId: string | null): AuditRow | null {
  const scope = scopes.get(viewer);
  if (!scope) return null;
  scope.recorded = true;
  return { ...scope.entry, targetId: targetId && isUuid(targetId) ? targetId.toLowerCase() : null, outcome: 'OK' };
}

/**
 * The write that carried takeAuditRow's row was rolled back (a batch that failed as a whole; the mutation
 * runs again on its own): the mutation's success is not recorded yet, so a retry that answers from a stored
 * result still gets its row.
 */
export function returnAuditRow(viewer: Viewer): void {
  const scope = scopes.get(viewer);
  if (scope) scope.recorded = false;
}

/**
 * Records something the hub did on its own in response to the running mutation (a member's redemption
 * codes voided after too many wrong ones), as a row of its own: the caller's identity and request id,
 * `operation` naming the event, outcome `OK`. Written with `manager`, so it commits with the event's effect,
 * even when the mutation itself is refused. Outside a GraphQL mutation it does nothing.
 */
export async function recordAuditEvent(manager: EntityManager, viewer: Viewer, operation: string, targetId: string | null): Promise<void> {
  const scope = scopes.get(viewer);
  if (!scope) return;
  await insert(manager, { ...scope.entry, operation, targetId: targetId && isUuid(targetId) ? targetId.toLowerCase() : null, outcome: 'OK' });
}

/** The first id a mutation's input names (`partnerId`, `holdId`, `transactionId`, ...): a refusal's target. */
function targetOfInput(args: Record<string, unknown>): string | null {
  const input = args.input;
  if (!input || typeof input !== 'object') return null;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (key.endsWith('Id') && typeof value === 'string' && isUuid(value)) return value.toLowerCase();
  }
  return null;
}

/** The first object with an id in a mutation's payload (`{ partner: { id } }`): a success's target. */
function targetOfPayload(payload: unknown): string | null {
  if (!payload || typeof payload !== 'object') return null;
  for (const value of Object.values(payload as Record<string, unknown>)) {
    const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
    if (typeof id === 'string' && isUuid(id)) return id.toLowerCase();
  }
  return null;
}

function idempotencyKeyOf(args: Record<string, unknown>): string | null {
  const key = (args.input as { idempotencyKey?: unknown } | undefined)?.idempotencyKey;
  return typeof key === 'string' && key.length > 0 ? key.slice(0, 255) : null;
}

/** One subgraph's audit log: writes rows in its own schema and reads them for the admin and partners. */
export class AuditLog {
  constructor(
    readonly service: string,
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  /** Writes one row in its own statement; a failure is logged and swallowed (the request's answer stands). */
  async writeBestEffort(entry: AuditEntry): Promise<void> {
    try {
      await insert(this.dataSource.manager, entry);
    } catch (error) {
      this.logger.error('audit write failed', { requestId: entry.requestId, operation: entry.operation, outcome: entry.outcome, error });
    }
  }

  /** Runs one mutation resolver under an audit scope and records its outcome (see the module comment). */
  async around<R>(viewer: Viewer, requestId: string, operation: string, args: Record<string, unknown>, resolve: () => Promise<R> | R): Promise<R> {
    const scope: AuditScope = {
      entry: {
        requestId,
        operation,
        subject: viewer.subject.slice(0, 255),
        partnerId: viewer.partnerId ?? null,
        memberId: viewer.memberId ?? null,
        charityId: viewer.charityId ?? null,
        idempotencyKey: idempotencyKeyOf(args),
      },
      recorded: false,
    };
    let result: R;
    try {
      scopes.set(viewer, scope);
      try {
        result = await resolve();
      } finally {
        scopes.delete(viewer);
      }
    } catch (error) {
      await this.writeBestEffort({ ...scope.entry, targetId: targetOfInput(args), outcome: isAppError(error) ? error.code : 'INTERNAL' });
      throw error;
    }
    if (!scope.recorded) await this.writeBestEffort({ ...scope.entry, targetId: targetOfPayload(result), outcome: 'OK' });
    return result;
  }

  /**
   * Newest first. The admin reads every row (optionally one partner's); a partner token with
   * `reports:read` only the rows where that partner was the actor. FORBIDDEN for anyone else.
   */
  async page(
    viewer: Viewer,
    options: { first: number; after?: string | null; operation?: string | null; partnerId?: string | null },
  ): Promise<{ rows: AuditRecord[]; endCursor: string | null }> {
    let partnerId: string | null;
    if (isAdmin(viewer)) {
      partnerId = options.partnerId == null ? null : uuid('partnerId', options.partnerId);
    } else if (viewer.partnerId && viewer.scopes.has('reports:read')) {
      if (options.partnerId != null && uuid('partnerId', options.partnerId) !== viewer.partnerId) return { rows: [], endCursor: null };
      partnerId = viewer.partnerId;
    } else {
      throw forbidden('Requires admin, or a partner token with scope reports:read');
    }
    const limit = Math.min(Math.max(options.first, 1), MAX_PAGE_SIZE);
    let after: string | null = null;
    if (options.after != null) {
      if (!/^[1-9]\d{0,17}$/.test(options.after)) throw badInput('after', 'is not a cursor this API gave out');
      after = options.after;
    }
    const rows = await auditRows(this.dataSource.manager, { partnerId, after, operation: options.operation ?? null, limit: limit + 1 });
    const page = rows.slice(0, limit).map((r): AuditRecord => ({ ...r, service: this.service }));
    return { rows: page, endCursor: rows.length > limit ? page[page.length - 1].id : null };
  }
}

/** What the wrapped resolvers need from their context. */
interface AuditedContext {
  viewer: Viewer;
  requestId: string;
  audit?: AuditLog;
}

type FieldResolver = (root: unknown, args: Record<string, unknown>, ctx: AuditedContext, info: GraphQLResolveInfo) => unknown;

/** Wraps every resolver of the Mutation type so each call leaves one audit row. */
export function auditMutationResolvers(mutation: Record<string, unknown>): void {
  for (const [field, resolver] of Object.entries(mutation)) {
    if (typeof resolver !== 'function') continue;
    const resolve = resolver as FieldResolver;
    mutation[field] = (root: unknown, args: Record<string, unknown>, ctx: AuditedContext, info: GraphQLResolveInfo) =>
      ctx.audit ? ctx.audit.around(ctx.viewer, ctx.requestId, info.fieldName, args, () => resolve(root, args, ctx, info) as Promise<unknown>) : resolve(root, args, ctx, info);
  }
}
