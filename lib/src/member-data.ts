import { type DataSource, type EntityManager } from 'typeorm';
import { recordAudit } from './audit';
import { type Viewer } from './auth';
import { badInput, notFound } from './errors';
import {
  AUDIT_SECTION,
  eraseAuditSubjects,
  forgetIdempotencyKeys,
  IDEMPOTENCY_SECTION,
  readMemberData,
  recordMemberErasure,
  runErasureStatements,
  type MemberDataSection,
  type MemberErasureStatement,
} from './persistence/member-data.repository';
import { requireService } from './service-token';
import { isUuid, uuid } from './validation';
import { isAdmin, isSelf } from './viewer';

/**
 * The member whose data the viewer may export: the member themself or the admin. Anyone else, and an id
 * that is not one, is told the member does not exist (NOT_FOUND), exactly as for a missing member, so the
 * export is no way to learn whether an id is a member's.
 */
export function exportableMemberId(viewer: Viewer, memberId: string): string {
  const id = isUuid(memberId) ? memberId.toLowerCase() : null;
  if (!id || !(isAdmin(viewer) || isSelf(viewer, id))) throw notFound('Member');
  return id;
}

/**
 * One subgraph's section of a member's data export: everything it holds about the member, read from its
 * own tables only (its `sections`, plus its audit log and idempotency keys). `exists`, where given,
 * answers NOT_FOUND for a member the subgraph does not know (the members subgraph, the system of record).
 */
export class MemberDataExport {
  private readonly sections: readonly MemberDataSection[];

  /**
   * `sources.reports` is where the export's sections are read (the replica when DATABASE_REPLICA_URL is
   * set: an export is a large read); whether the member exists is asked of the primary, so that a member
   * enrolled a moment ago gets an export, not NOT_FOUND from a replica that has not caught up yet.
   */
  constructor(
    private readonly sources: { primary: DataSource; reports: DataSource },
    sections: readonly MemberDataSection[],
    private readonly exists?: (manager: EntityManager, memberId: string) => Promise<boolean>,
  ) {
    this.sections = [...sections, AUDIT_SECTION, IDEMPOTENCY_SECTION];
  }

  async read(viewer: Viewer, memberId: string): Promise<Record<string, unknown[]>> {
    const id = exportableMemberId(viewer, memberId);
    if (this.exists && !(await this.exists(this.sources.primary.manager, id))) throw notFound('Member');
    return readMemberData(this.sources.reports.manager, id, this.sections);
  }
}

/** What one subgraph did for an erasure (the same answer to every call with its id). */
export interface MemberDataErased {
  erasureId: string;
  memberId: string;
  /** False when this erasure id had been carried out already: the call changed nothing. */
  erasedNow: boolean;
}

/**
 * One subgraph's part of erasing a member (GDPR art. 17), as the internal operation `<subgraph>EraseMember`
 * the members subgraph calls with its service credential (scope members:erase): in one transaction it
 * records the erasure id (a second call with it changes nothing), runs the subgraph's own statements on its
 * own tables, replaces the person's token subjects in its audit log with `erased:<erasure id>` and forgets the
 * idempotency keys of their calls. Amounts, ledger rows and receipts are not touched.
 */
export class MemberDataErasure {
  constructor(
    private readonly dataSource: DataSource,
    private readonly statements: readonly MemberErasureStatement[],
  ) {}

  async erase(viewer: Viewer, input: { erasureId: string; memberId: string; subjects: readonly string[] }): Promise<MemberDataErased> {
    requireService(viewer, 'members', 'members:erase');
    const erasureId = uuid('erasureId', input.erasureId);
    const memberId = uuid('memberId', input.memberId);
    if (input.subjects.length > 100 || input.subjects.some((s) => s.length < 1 || s.length > 500)) throw badInput('subjects', 'at most 100, each 1 to 500 characters');
    return this.dataSource.transaction(async (manager) => {
      const erasedNow = await recordMemberErasure(manager, erasureId, memberId);
      if (erasedNow) {
        await runErasureStatements(manager, erasureId, memberId, this.statements);
        await eraseAuditSubjects(manager, erasureId, memberId, input.subjects);
        await forgetIdempotencyKeys(manager, memberId, input.subjects);
        await recordAudit(manager, viewer, memberId);
      }
      return { erasureId, memberId, erasedNow };
    });
  }
}
