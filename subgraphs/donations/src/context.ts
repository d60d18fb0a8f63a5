import type DataLoader from 'dataloader';
import { type BaseSubgraphContext } from '../../shared/src';
import { type CharityEntity } from './persistence/charity.entity';
import { type CharitiesService } from './services/charities.service';

export interface DonationsContext extends BaseSubgraphContext {
  charities: CharitiesService;
  loaders: { charity: DataLoader<string, CharityEntity | null> };
}
