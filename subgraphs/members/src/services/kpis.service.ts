import { type DataSource } from 'typeorm';
import { type Viewer } from '../../../../lib/src';
import { canReadKpis, parseKpiId } from '../../../../lib/src/kpis';
import { readMemberCounts } from '../persistence/kpis.repository';

/**
 * The members subgraph's share of the federated ProgrammeKpis: members enrolled and closed in the
 * period, coalition-wide or enrolled by the partner. The same access as programmeKpis, checked again on
 * the entity id: the admin any, a partner with reports:read its own; any other id answers null.
 */
export class MembersKpisService {
  /** `reportSource`: the replica when DATABASE_REPLICA_URL is set (a report), else the primary. */
  constructor(private readonly reportSource: DataSource) {}

  async counts(viewer: Viewer, id: string): Promise<{ enrolled: number; closed: number } | null> {
    const scope = parseKpiId(id);
    if (!scope || !canReadKpis(viewer, scope)) return null;
    return readMemberCounts(this.reportSource.manager, scope.from, scope.to, scope.partnerId);
  }
}
