import DataLoader from 'dataloader';
import { z } from 'zod';
import { buildFederatedSchema, byIdLoader, createAuditLogResolver, createSubgraphClient, validate, type SubgraphDefinition } from '../../../lib/src';
import { createMemberLinkLookup } from '../../../lib/src/clients/member-link.client';
import { MemberLinkCache, resolveLinkedMember } from '../../../lib/src/member-link';
import { partnersMigrations } from '../../../migrations/partners';
import { type PartnersContext } from './context';
import { partnerReference } from './graphql/partner.reference';
import { OfferResolver, StoreResolver } from './graphql/catalogue.resolver';
import { PartnerResolver } from './graphql/partner.resolver';
import { CategoryRateResolver } from './graphql/category-rate.resolver';
import { CategoryRatesService } from './services/category-rates.service';
import { OfferEntity, PartnerEntity, PartnerTermsEntity, StoreEntity } from './persistence/partner.entity';
import { OffersService } from './services/offers.service';
import { PartnersPointsClient } from './clients/points.client';
import { PartnersService } from './services/partners.service';
import { StoresService } from './services/stores.service';
import { createMemberErasureResolver } from '../../../lib/src/graphql/member-erasure.resolver';
import { createMemberExportResolver } from '../../../lib/src/graphql/member-export.resolver';
import { MemberDataErasure, MemberDataExport } from '../../../lib/src/member-data';
import { PARTNERS_MEMBER_DATA_SECTIONS, PARTNERS_MEMBER_ERASURE_STATEMENTS } from './persistence/member-data.repository';

const PartnersAuditLogResolver = createAuditLogResolver('partners');
const PartnersMemberExportResolver = createMemberExportResolver('partners');
const PartnersMemberErasureResolver = createMemberErasureResolver('partners');

/**
 * Members: where a member token without a member_id claim finds its member (the identity link).
 * Points: whether a segment an offer targets is one the caller may target.
 */
const partnersEnv = { MEMBERS_URL: z.url().default('http://127.0.0.1:4001/graphql'), POINTS_URL: z.url().default('http://127.0.0.1:4002/graphql') };

export const partnersSubgraph: SubgraphDefinition<PartnersContext, z.infer<z.ZodObject<typeof partnersEnv>>> = {
  name: 'partners',
  defaultPort: 4003,
  internalOperations: ['partnersEraseMember', 'offerForEarlyAccess'],
  entities: [PartnerEntity, PartnerTermsEntity, StoreEntity, OfferEntity],
  migrations: partnersMigrations,
  env: partnersEnv,
  buildSchema: () => buildFederatedSchema({ resolvers: [PartnerResolver, StoreResolver, OfferResolver, PartnersAuditLogResolver, PartnersMemberExportResolver, PartnersMemberErasureResolver, CategoryRateResolver] }, partnerReference),
  setup({ dataSource, reportSource, env }) {
    const partners = new PartnersService(dataSource);
    const stores = new StoresService(dataSource);
    const offers = new OffersService(dataSource, new PartnersPointsClient(createSubgraphClient(env.POINTS_URL)));
    const categoryRates = new CategoryRatesService(dataSource);
    const memberExport = new MemberDataExport({ primary: dataSource, reports: reportSource }, PARTNERS_MEMBER_DATA_SECTIONS);
    const memberErasure = new MemberDataErasure(dataSource, PARTNERS_MEMBER_ERASURE_STATEMENTS);
    const links = new MemberLinkCache(createMemberLinkLookup(createSubgraphClient(env.MEMBERS_URL)));
    return {
      resolveViewer: (viewer, requestId) => resolveLinkedMember(viewer, links, requestId),
      createContext: (viewer, requestId) => ({
        viewer,
        requestId,
        memberExport,
        memberErasure,
        partners,
        stores,
        offers,
        categoryRates,
        loaders: {
          partner: byIdLoader((ids) => partners.loadMany(ids)),
          terms: new DataLoader(async (ids: readonly string[]) => {
            const rows = await partners.termsAt(ids.filter(validate.isUuid));
            return ids.map((id) => rows.find((t) => t.partnerId === id) ?? null);
          }),
        },
      }),
    };
  },
};
