import type DataLoader from 'dataloader';
import { type BaseSubgraphContext } from '../../shared/src';
import { type PartnerEntity, type PartnerTermsEntity } from './persistence/partner.entity';
import { type PartnersService } from './services/partners.service';

export interface PartnersContext extends BaseSubgraphContext {
  partners: PartnersService;
  loaders: {
    partner: DataLoader<string, PartnerEntity | null>;
    terms: DataLoader<string, PartnerTermsEntity | null>;
  };
}
