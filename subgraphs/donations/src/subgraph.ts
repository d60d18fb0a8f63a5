import { buildFederatedSchema, byIdLoader, type SubgraphDefinition } from '../../shared/src';
import { donationsMigrations } from '../../../migrations/donations';
import { type DonationsContext } from './context';
import { donationsReferences } from './graphql/charity.reference';
import { CharityResolver, DonationResolver, DonorResolver } from './graphql/charity.resolver';
import { DonorType } from './graphql/charity.type';
import { CharityEntity, DonationEntity } from './persistence/charity.entity';
import { CharitiesService } from './services/charities.service';

export const donationsSubgraph: SubgraphDefinition<DonationsContext> = {
  name: 'donations',
  defaultPort: 4004,
  entities: [CharityEntity, DonationEntity],
  migrations: donationsMigrations,
  buildSchema: () => buildFederatedSchema({ resolvers: [CharityResolver, DonationResolver, DonorResolver], orphanedTypes: [DonorType] }, donationsReferences),
  setup({ dataSource }) {
    const charities = new CharitiesService(dataSource);
    return {
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        charities,
        loaders: { charity: byIdLoader((ids) => charities.loadMany(ids)) },
      }),
    };
  },
};
