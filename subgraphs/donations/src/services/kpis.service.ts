import { type DataSource } from 'typeorm';
import { formatMoney, type Viewer } from '../../../../lib/src';
import { canReadKpis, parseKpiId } from '../../../../lib/src/kpis';
import { readDonated, readPledged } from '../persistence/kpis.repository';

export interface GivingKpis {
  /** Donations confirmed in the period; null for one partner (a donation is the member's, not a partner's). */
  donations: number | null;
  donatedPoints: bigint | null;
  pledged: { amount: string; currency: string }[];
}

/**
 * The donations subgraph's share of the federated ProgrammeKpis: donations confirmed and pledges accrued in
 * the period. The same access as programmeKpis, checked again on the entity id: the admin any, a partner
 * with reports:read its own; any other id answers null.
 */
export class DonationsKpisService {
  /** `reportSource`: the replica when DATABASE_REPLICA_URL is set (a report), else the primary. */
  constructor(private readonly reportSource: DataSource) {}

  async giving(viewer: Viewer, id: string): Promise<GivingKpis | null> {
    const scope = parseKpiId(id);
    if (!scope || !canReadKpis(viewer, scope)) return null;
    const manager = this.reportSource.manager;
    const donated = scope.partnerId === null ? await readDonated(manager, scope.from, scope.to) : null;
    const pledged = await readPledged(manager, scope.from, scope.to, scope.partnerId);
    return {
      donations: donated?.count ?? null,
      donatedPoints: donated?.points ?? null,
      pledged: pledged.map((p) => formatMoney({ minor: p.minor, currency: p.currency })),
    };
  }
}
