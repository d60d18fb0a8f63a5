import { buildFederatedSchema, byIdLoader, createAuditLogResolver, type SubgraphDefinition } from '../../shared/src';
import { donationsMigrations } from '../../../migrations/donations';
import { type DonationsContext } from './context';
import { donationsReferences } from './graphql/charity.reference';
import { CharityResolver, DonationResolver, DonorResolver } from './graphql/charity.resolver';
import { DonorType } from './graphql/charity.type';
import { CharityEntity, DonationEntity } from './persistence/charity.entity';
import { CharitiesService } from './services/charities.service';

const DonationsAuditLogResolver = createAuditLogResolver('donations');

export const donationsSubgraph: SubgraphDefinition<DonationsContext> = {
  name: 'donations',
  defaultPort: 4004,
  entities: [CharityEntity, DonationEntity],
  migrations: donationsMigrations,
  buildSchema: () => buildFederatedSchema({ resolvers: [CharityResolver, DonationResolver, DonorResolver, DonationsAuditLogResolver], orphanedTypes: [DonorType] }, donationsReferences),
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
