import type DataLoader from 'dataloader';
import { type BaseSubgraphContext } from '../../shared/src';
import { type AccountEntity } from './persistence/ledger.entity';
import { type PointsService } from './services/points.service';

export interface PointsContext extends BaseSubgraphContext {
  points: PointsService;
  loaders: { account: DataLoader<string, AccountEntity | null> };
}
