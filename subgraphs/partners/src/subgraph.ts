import DataLoader from 'dataloader';
import { buildFederatedSchema, byIdLoader, type SubgraphDefinition } from '../../shared/src';
import { partnersMigrations } from '../../../migrations/partners';
import { type PartnersContext } from './context';
import { partnerReference } from './graphql/partner.reference';
import { PartnerResolver } from './graphql/partner.resolver';
import { PartnerEntity, PartnerTermsEntity } from './persistence/partner.entity';
import { PartnersService } from './services/partners.service';

export const partnersSubgraph: SubgraphDefinition<PartnersContext> = {
  name: 'partners',
  defaultPort: 4003,
  entities: [PartnerEntity, PartnerTermsEntity],
  migrations: partnersMigrations,
  buildSchema: () => buildFederatedSchema({ resolvers: [PartnerResolver] }, partnerReference),
  setup({ dataSource }) {
    const partners = new PartnersService(dataSource);
    return {
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        partners,
        loaders: {
          partner: byIdLoader((ids) => partners.loadMany(ids)),
          terms: new DataLoader(async (ids: readonly string[]) => {
            const rows = await partners.currentTerms(ids);
            return ids.map((id) => rows.find((t) => t.partnerId === id) ?? null);
          }),
        },
      }),
    };
  },
};
