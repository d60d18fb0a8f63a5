import type DataLoader from 'dataloader';
import { type BaseSubgraphContext } from '../../../lib/src';
import { type MemberDataExport } from '../../../lib/src/member-data';
import { type MemberEntity } from './persistence/member.entity';
import { type CardRow } from './persistence/cards.repository';
import { type CardsService } from './services/cards.service';
import { type ClosingService } from './services/closing.service';
import { type ErasureService } from './services/erasure.service';
import { type MembersService } from './services/members.service';
import { type MembersKpisService } from './services/kpis.service';
import { type MemberSelfService } from './services/self-service.service';

export interface MembersContext extends BaseSubgraphContext {
  /** Internal: of these members, those consenting to partner data sharing (SharingConsentResolver). */
  sharingConsents(memberIds: readonly string[]): Promise<string[]>;
  /** This subgraph's section of a member's data export (GET /members/{id}/export.json). */
  memberExport: MemberDataExport;
  members: MembersService;
  /** Sign-up, consents, profile. */
  selfService: MemberSelfService;
  cards: CardsService;
  /** Member counts of the programme KPIs. */
  kpis: MembersKpisService;
  closings: ClosingService;
  /** Erasing members (eraseMember) across the subgraphs. */
  erasures: ErasureService;
  loaders: { member: DataLoader<string, MemberEntity | null>; cards: DataLoader<string, CardRow[]> };
}
