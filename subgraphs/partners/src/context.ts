import type DataLoader from 'dataloader';
import { type BaseSubgraphContext } from '../../../lib/src';
import { type MemberDataErasure, type MemberDataExport } from '../../../lib/src/member-data';
import { type PartnerEntity } from './persistence/partner.entity';
import { type OffersService } from './services/offers.service';
import { type CategoryRatesService } from './services/category-rates.service';
import { type PartnersService, type TermsVersion } from './services/partners.service';
import { type StoresService } from './services/stores.service';

export interface PartnersContext extends BaseSubgraphContext {
  /** This subgraph's section of a member's data export (GET /members/{id}/export.json). */
  memberExport: MemberDataExport;
  /** This subgraph's part of erasing a member (the internal <subgraph>EraseMember). */
  memberErasure: MemberDataErasure;
  partners: PartnersService;
  stores: StoresService;
  offers: OffersService;
  categoryRates: CategoryRatesService;
  loaders: {
    partner: DataLoader<string, PartnerEntity | null>;
    /** The terms in force now, per partner. */
    terms: DataLoader<string, TermsVersion | null>;
  };
}
