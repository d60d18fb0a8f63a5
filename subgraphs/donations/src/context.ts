import type DataLoader from 'dataloader';
import { type BaseSubgraphContext } from '../../../lib/src';
import { type MemberDataErasure, type MemberDataExport } from '../../../lib/src/member-data';
import { type CharityEntity } from './persistence/charity.entity';
import { type CharitiesService } from './services/charities.service';
import { type DonationsService } from './services/donations.service';
import { type MatchingService } from './services/matching.service';
import { type PledgesService } from './services/pledges.service';
import { type ReceiptsService } from './services/receipts.service';
import { type ReportsService } from './services/reports.service';
import { type DonationsKpisService } from './services/kpis.service';

export interface DonationsContext extends BaseSubgraphContext {
  /** This subgraph's section of a member's data export (GET /members/{id}/export.json). */
  memberExport: MemberDataExport;
  /** This subgraph's part of erasing a member (the internal <subgraph>EraseMember). */
  memberErasure: MemberDataErasure;
  charities: CharitiesService;
  donations: DonationsService;
  receipts: ReceiptsService;
  pledges: PledgesService;
  matching: MatchingService;
  reports: ReportsService;
  /** Giving in the programme KPIs. */
  kpis: DonationsKpisService;
  loaders: { charity: DataLoader<string, CharityEntity | null> };
}
