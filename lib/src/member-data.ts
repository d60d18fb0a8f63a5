import { type DataSource, type EntityManager } from 'typeorm';
import { type Viewer } from './auth';
import { notFound } from './errors';
import { AUDIT_SECTION, IDEMPOTENCY_SECTION, readMemberData, type MemberDataSection } from './persistence/member-data.repository';
import { isUuid } from './validation';
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

  constructor(
    private readonly dataSource: DataSource,
    sections: readonly MemberDataSection[],
    private readonly exists?: (manager: EntityManager, memberId: string) => Promise<boolean>,
  ) {
    this.sections = [...sections, AUDIT_SECTION, IDEMPOTENCY_SECTION];
  }

  async read(viewer: Viewer, memberId: string): Promise<Record<string, unknown[]>> {
    const id = exportableMemberId(viewer, memberId);
    if (this.exists && !(await this.exists(this.dataSource.manager, id))) throw notFound('Member');
    return readMemberData(this.dataSource.manager, id, this.sections);
  }
}
